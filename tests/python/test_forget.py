"""`cdp forget`: erasure leaves no trace of the person, and reloading old files does not bring them back.

One scenario on a copy of the session's built warehouse (1,500 generated customers): forget a person with records
in at least three sources, scan every table; reload the original files (ledger no-op) and re-deliveries of every
file under new names with different bytes, rebuild with every data test, scan again. (One rebuild for both: whatever
the rebuild after an erasure or a later delivery brought back, the last scan finds.)
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest
from click.testing import CliRunner

from cdp_runner.cli import main
from cdp_runner.identifiers import normalize_identifier
from cdp_runner.ingest.contracts import SOURCES_BY_NAME
from cdp_runner.ingest.loader import load_path
from cdp_runner.pipeline import build_warehouse
from cdp_runner.privacy.suppression import IDENTIFIER_COLUMNS

UUID = re.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _pick_person(warehouse: Path) -> SimpleNamespace:
    """A customer found by e-mail, with records in at least three sources, and every value that identifies them:
    the customer id, the normalised identifiers, the identifiers as delivered in their raw rows, their record keys."""
    customer_id, email = _rows(
        warehouse,
        """select records.customer_id, min(map.identifier_value)
           from marts.identity_record_map as records
           inner join marts.identity_map as map
             on map.customer_id = records.customer_id and map.identifier_type = 'email'
           group by records.customer_id
           having count(distinct records.source_name) >= 3
           order by count(distinct records.source_name) desc, records.customer_id
           limit 1""",
    )[0]
    identifiers = set(
        _rows(
            warehouse,
            "select identifier_type, identifier_value from marts.identity_map where customer_id = ?",
            [customer_id],
        )
    )
    records = _rows(
        warehouse, "select source_name, record_key from marts.identity_record_map where customer_id = ?", [customer_id]
    )
    # The person's identifiers as their records delivered them (other case, +tags, national phone formats); a
    # value that is no identifier of theirs (a placeholder like '123456' in a phone field) is not theirs to find.
    delivered: set[str] = set()
    for source_name in {source for source, _ in records}:
        key = SOURCES_BY_NAME[source_name].key
        keys = [record_key for source, record_key in records if source == source_name]
        for column in IDENTIFIER_COLUMNS[source_name]:
            country = column.country_column or "null"
            for value, row_country in _rows(
                warehouse,
                f"select {column.column}, {country} from raw.{source_name} where {key} in (select unnest(?))",
                [keys],
            ):
                if (
                    column.identifier_type,
                    normalize_identifier(column.identifier_type, value, row_country),
                ) in identifiers:
                    delivered.add(value.strip())
    values = {customer_id, *(value for _, value in identifiers), *delivered, *(key for _, key in records)}
    return SimpleNamespace(
        customer_id=customer_id,
        email=email,
        identifiers=identifiers,
        records=records,
        sources={source for source, _ in records},
        values=sorted(values),
    )


def _traces(warehouse: Path, values: list[str]) -> dict[str, int]:
    """Rows per `schema.table.column`, over every text column of every table and view in every schema, holding
    one of `values` (case-insensitive, as a whole token: inside JSON, CSV text or a longer string too; a value shaped
    like a UUID, as most record keys are, anywhere in the text)."""
    # Hundreds of record keys in one alternation put the regular expression past what its engine keeps as a fast
    # automaton (a scan took 50 s); the UUIDs are matched as a set instead, against every UUID-shaped piece of text.
    uuids = sorted({value.lower() for value in values if UUID.fullmatch(value.lower())})
    others = [value for value in values if not UUID.fullmatch(value.lower())]
    tests: list[str] = []
    parameters: dict[str, object] = {}
    if others:
        tests.append('regexp_matches(lower("{name}"), $pattern)')
        parameters["pattern"] = (
            "(^|[^0-9a-z_])(" + "|".join(re.escape(value.lower()) for value in others) + ")($|[^0-9a-z_])"
        )
    if uuids:
        tests.append('list_has_any(regexp_extract_all(lower("{name}"), $uuid), $uuids)')
        parameters.update(uuid=UUID.pattern, uuids=uuids)
    columns = _rows(
        warehouse,
        """select table_schema, table_name, column_name from information_schema.columns
           where data_type = 'VARCHAR' and table_catalog = current_database() order by all""",
    )
    assert {schema for schema, _, _ in columns} >= {"raw", "staging", "intermediate", "marts", "audit", "cdp_meta"}
    tables: dict[tuple[str, str], list[str]] = {}
    for schema, table, column in columns:
        tables.setdefault((schema, table), []).append(column)
    found: dict[str, int] = {}
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        for (schema, table), names in tables.items():
            # one scan per table, a count per column
            counts = ", ".join(
                "count(*) filter (where " + " or ".join(test.format(name=name) for test in tests) + ")"
                for name in names
            )
            row = con.execute(f'select {counts} from "{schema}"."{table}"', parameters).fetchall()[0]
            found.update((f"{schema}.{table}.{name}", count) for name, count in zip(names, row, strict=True) if count)
    finally:
        con.close()
    return found


def _records_per_customer(warehouse: Path, excluded: str) -> dict[str, int]:
    return dict(
        _rows(
            warehouse,
            "select customer_id, count(*) from marts.identity_record_map "
            "where customer_id is not null and customer_id <> ? group by customer_id",
            [excluded],
        )
    )


def _redeliver(data_dir: Path, out_dir: Path) -> None:
    """Every file again under a new name, with other bytes and the same records (so the ledger loads it)."""
    out_dir.mkdir()
    for path in sorted(data_dir.iterdir()):
        if not path.is_file():
            continue
        target = out_dir / f"{path.stem}_redelivered{path.suffix}"
        if path.suffix == ".parquet":
            con = duckdb.connect()
            con.execute(f"copy (select * from read_parquet('{path}')) to '{target}' (format parquet, compression zstd)")
            con.close()
        else:
            # a blank line at the end is not a record, but it changes the file's hash
            target.write_bytes(path.read_bytes() + b"\n")


def _rebuild(warehouse: Path) -> None:
    """What `cdp forget` runs after an erasure (its rebuild step): every model and snapshot, and every data test."""
    build_warehouse(warehouse=warehouse)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory, built_warehouse):
    root = tmp_path_factory.mktemp("forget")
    data_dir, warehouse = built_warehouse.data_dir, root / "warehouse.duckdb"
    shutil.copy(built_warehouse.warehouse, warehouse)  # never change the session's warehouse
    before = root / "before.duckdb"
    shutil.copy(warehouse, before)
    person = _pick_person(warehouse)
    others = _records_per_customer(warehouse, person.customer_id)
    raw_rows = {source: _rows(warehouse, f"select count(*) from raw.{source}")[0][0] for source in IDENTIFIER_COLUMNS}

    # --no-build, so that the erasure is checked on its own before a rebuild recomputes anything
    forgotten = CliRunner().invoke(main, ["forget", person.email, "--yes", "--no-build", "--warehouse", str(warehouse)])
    after_forget = root / "after_forget.duckdb"
    shutil.copy(warehouse, after_forget)

    reload_same = load_path(data_dir, warehouse=warehouse)
    _redeliver(data_dir, root / "redelivered")
    reload_new = load_path(root / "redelivered", warehouse=warehouse)
    _rebuild(warehouse)
    return SimpleNamespace(
        root=root,
        data_dir=data_dir,
        warehouse=warehouse,
        before=before,
        after_forget=after_forget,
        person=person,
        others=others,
        raw_rows=raw_rows,
        forgotten=forgotten,
        reload_same=reload_same,
        reload_new=reload_new,
    )


def test_the_person_is_real_and_found_everywhere_before(scenario):
    """The scan can fail: before the erasure it finds the person in raw, staging and marts."""
    person = scenario.person
    assert len(person.sources) >= 3
    assert any(identifier_type == "email" for identifier_type, _ in person.identifiers)
    traces = _traces(scenario.before, person.values)
    for schema in ("raw", "staging", "intermediate", "marts"):
        assert any(name.startswith(schema + ".") for name in traces), schema


def test_forget_leaves_no_trace(scenario):
    assert scenario.forgotten.exit_code == 0, scenario.forgotten.output
    assert "erased the customer found by email" in scenario.forgotten.output
    assert _traces(scenario.after_forget, scenario.person.values) == {}


def test_reloading_old_and_redelivered_files_keeps_them_out(scenario):
    person = scenario.person
    assert {result.status for result in scenario.reload_same} == {"already_loaded"}
    assert {result.status for result in scenario.reload_new} == {"loaded"}
    # every re-delivered record of the person was suppressed, and only those: per source, exactly the rows the
    # erasure removed from raw
    audit = json.loads(_rows(scenario.warehouse, "select rows_removed from cdp_meta.erasure_log")[0][0])
    suppressed: dict[str, int] = {}
    for result in scenario.reload_new:
        suppressed[result.source_name] = suppressed.get(result.source_name, 0) + result.rows_suppressed
    removed_from_raw = {table.split(".")[1]: count for table, count in audit.items() if table.startswith("raw.")}
    assert {source: count for source, count in suppressed.items() if count} == removed_from_raw
    assert set(removed_from_raw) >= person.sources
    ledger = dict(
        _rows(scenario.warehouse, "select source_name, sum(rows_suppressed) from cdp_meta.load_ledger group by all")
    )
    assert {source: count for source, count in ledger.items() if count} == removed_from_raw
    # raw holds the other rows twice now, and none of the person's
    for source, before in scenario.raw_rows.items():
        after = _rows(scenario.warehouse, f"select count(*) from raw.{source}")[0][0]
        assert after == 2 * (before - removed_from_raw.get(source, 0)), source
    assert _traces(scenario.warehouse, person.values) == {}


def test_other_customers_are_unaffected(scenario):
    assert _records_per_customer(scenario.after_forget, scenario.person.customer_id) == scenario.others
    assert _records_per_customer(scenario.warehouse, scenario.person.customer_id) == scenario.others


def test_audit_row_and_suppression_entries_hold_hashes_only(scenario):
    person = scenario.person
    rows = _rows(
        scenario.warehouse,
        "select matched_by, identifier_hashes, identifier_count, record_count, rows_removed, rows_removed_total "
        "from cdp_meta.erasure_log",
    )
    assert len(rows) == 1
    matched_by, identifier_hashes, identifier_count, record_count, rows_removed, total = rows[0]
    assert matched_by == "email"
    assert identifier_count == len(person.identifiers) and record_count == len(person.records)
    removed = json.loads(rows_removed)
    assert total == sum(removed.values()) > 0
    # marts.identity_map is a view over the assignments: the person's rows go from the table behind it
    assert removed["intermediate.int_identity_assignments"] == len(person.identifiers)
    assert "marts.identity_map" not in removed
    assert removed["marts.identity_record_map"] == len(person.records)
    # and so is marts.customer_timeline, over the interactions
    assert removed["intermediate.int_customer_interactions"] > 0
    assert "marts.customer_timeline" not in removed

    hashes = json.loads(identifier_hashes)
    entries = dict(
        _rows(scenario.warehouse, "select identifier_hash, identifier_type from cdp_meta.suppressed_identifiers")
    )
    assert len(hashes) == len(person.identifiers) and set(hashes) <= set(entries)
    assert len(entries) == len(person.identifiers) + len(person.records)
    # keyed: neither the plain value nor its plain SHA-256 (with or without the type) is stored
    plain = set(person.values)
    plain_hashes = {hashlib.sha256(value.encode()).hexdigest() for value in plain} | {
        hashlib.sha256(f"{identifier_type}:{value}".encode()).hexdigest()
        for identifier_type, value in person.identifiers
    }
    assert not set(entries) & (plain | plain_hashes)
    assert all(re.fullmatch(r"[0-9a-f]{64}", entry) for entry in entries)


def test_unknown_identifier_changes_nothing(scenario, tmp_path):
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(scenario.warehouse, warehouse)
    before = _rows(warehouse, "select count(*) from cdp_meta.erasure_log")[0][0]
    result = CliRunner().invoke(main, ["forget", "nobody-at-all@example.org", "--yes", "--warehouse", str(warehouse)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: no customer found for 'nobody-at-all@example.org'")
    assert "Traceback" not in result.output
    assert _rows(warehouse, "select count(*) from cdp_meta.erasure_log")[0][0] == before


def test_declining_the_prompt_changes_nothing(scenario, tmp_path):
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(scenario.before, warehouse)
    email = scenario.person.email
    result = CliRunner().invoke(main, ["forget", email, "--warehouse", str(warehouse)], input="n\n")
    assert result.exit_code == 1
    assert f"Erase customer {scenario.person.customer_id}" in result.output
    assert _rows(warehouse, "select count(*) from marts.identity_map where identifier_value = ?", [email]) == [(1,)]
    assert _rows(warehouse, "select count(*) from cdp_meta.suppressed_identifiers") == [(0,)]


def test_a_failure_rolls_the_whole_erasure_back(scenario, tmp_path, monkeypatch):
    """A failure after the raw rows were deleted leaves the warehouse as it was."""
    from cdp_runner.privacy import erasure as erasure_module

    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(scenario.before, warehouse)
    original = erasure_module._derived_text_columns

    def failing(con):
        yield from original(con)
        yield "marts.no_such_table", '"marts"."no_such_table"', ["customer_id"]

    monkeypatch.setattr(erasure_module, "_derived_text_columns", failing)
    result = CliRunner().invoke(
        main, ["forget", scenario.person.email, "--yes", "--no-build", "--warehouse", str(warehouse)]
    )
    assert result.exit_code != 0
    assert _traces(warehouse, [scenario.person.email]) == _traces(scenario.before, [scenario.person.email]) != {}
    assert _rows(warehouse, "select count(*) from cdp_meta.suppressed_identifiers") == [(0,)]
    assert _rows(warehouse, "select count(*) from cdp_meta.erasure_log") == [(0,)]


def test_a_new_file_with_other_spellings_and_unsplit_rows_is_filtered(scenario, tmp_path):
    """The hook normalises like staging (case, +tag, Gmail dots; national phone format) and searches the text of
    rows it cannot split."""
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(scenario.warehouse, warehouse)
    email = scenario.person.email
    local, domain = email.split("@")
    respelled = f"{local.upper()}+Newsletter@{domain.upper()}"
    tickets = tmp_path / "support_tickets_new.csv"
    header = ",".join(SOURCES_BY_NAME["support_tickets"].column_names)
    tickets.write_text(
        "\n".join(
            [
                header,
                f"TKNEW1,{respelled},,Someone,email,returns,closed,,2026-01-02T10:00:00Z,",
                f"TKNEW2,{email},,Someone,email,returns,closed",  # too few fields: kept unsplit by the loader
                "TKNEW3,somebody.else@example.org,,Somebody Else,email,returns,closed,,2026-01-02T10:00:00Z,",
                # one field too many, the address inside a display name, in another case, after "mailto:"
                f'TKNEW4,"Some One <{respelled}>",,,email,returns,closed,,2026-01-02T10:00:00Z,,EXTRA',
                f'TKNEW5,"write to mailto:{email}.",,,email,returns,closed,,2026-01-02T10:00:00Z,,EXTRA',
            ]
        )
        + "\n"
    )
    (result,) = load_path(tickets, warehouse=warehouse)
    assert (result.rows_read, result.rows_rejected, result.rows_suppressed) == (5, 3, 4)
    kept = _rows(warehouse, "select ticket_id from raw.support_tickets where _load_id = ?", [result.load_id])
    assert kept == [("TKNEW3",)]
    assert _rows(warehouse, "select rows_suppressed from cdp_meta.load_ledger where load_id = ?", [result.load_id]) == [
        (4,)
    ]


def test_erasure_finds_the_person_in_rows_the_loader_could_not_split(scenario, tmp_path):
    """Unsplit rows are text: the person's address inside a display name, their phone in free text."""
    warehouse = tmp_path / "copy.duckdb"
    shutil.copy(scenario.before, warehouse)
    person = scenario.person
    phones = sorted(value for identifier_type, value in person.identifiers if identifier_type == "phone")
    header = ",".join(SOURCES_BY_NAME["support_tickets"].column_names)
    lines = [
        header,
        f'TKX0000001,"Katherine <{person.email}>",,,email,returns,closed,,2026-01-02T10:00:00Z,,EXTRA',
        f'TKX0000002,"{person.email.upper()}",,,email,returns,closed,,2026-01-02T10:00:00Z,,EXTRA',
        "TKX0000003,someone.else@example.org,,,email,returns,closed,,2026-01-02T10:00:00Z,,EXTRA",
    ]
    if phones:
        spaced = f"{phones[0][:3]} {phones[0][3:7]} {phones[0][7:]}"
        lines.append(f'TKX0000004,,"call {spaced} after 5",,phone,returns,closed,,2026-01-02T10:00:00Z,,EXTRA')
    tickets = tmp_path / "support_tickets_unsplit.csv"
    tickets.write_text("\n".join(lines) + "\n")
    (loaded,) = load_path(tickets, warehouse=warehouse)
    assert loaded.rows_rejected == len(lines) - 1

    result = CliRunner().invoke(main, ["forget", person.email, "--yes", "--no-build", "--warehouse", str(warehouse)])
    assert result.exit_code == 0, result.output
    left = _rows(
        warehouse, "select ticket_id, _raw_record from raw.support_tickets where _load_id = ?", [loaded.load_id]
    )
    assert [text.split(",")[0] for _, text in left] == ["TKX0000003"]
    assert _traces(warehouse, [person.email, *phones]) == {}
