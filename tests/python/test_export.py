"""Exports: consent and the personal-data policy hold in the written files, reruns give identical bytes, diff mode
sends additions and removals, refusals write nothing, and export-marts writes Parquet that reads back whole."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
import yaml
from click.testing import CliRunner

from cdp_runner.activation.destinations import DESTINATIONS_FILE, load_destinations
from cdp_runner.activation.marts_export import export_marts
from cdp_runner.activation.segment_export import export_segment, sha256_email, sha256_phone
from cdp_runner.cli import main

SEGMENT = "loyal_buyers_email"


def _rows(warehouse, sql, params=None):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _execute(warehouse, sql, params=None):
    con = duckdb.connect(str(warehouse))
    try:
        con.execute(sql, params or [])
    finally:
        con.close()


@pytest.fixture
def warehouse_copy(built_warehouse, tmp_path):
    """A private copy of the built warehouse that a test may change."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.warehouse, copy)
    return copy


def _members(warehouse, segment=SEGMENT) -> list[str]:
    return [
        row[0]
        for row in _rows(
            warehouse, "select customer_id from marts.segment_membership where segment_name = ? order by 1", [segment]
        )
    ]


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_email_export_holds_only_consenting_members(warehouse_copy, tmp_path):
    members = _members(warehouse_copy)
    withdrawn = members[::7]
    # Consent withdrawn after the segment was built: the export must still leave these customers out.
    for customer_id in withdrawn:
        _execute(
            warehouse_copy,
            "update marts.customer_consent set is_email_contactable = false where customer_id = ?",
            [customer_id],
        )
    result = export_segment(SEGMENT, "crm_email", warehouse=warehouse_copy, out_dir=tmp_path / "out")
    rows = _read_csv(result.file)
    exported = {row["external_id"] for row in rows}
    contactable = {
        row[0]
        for row in _rows(warehouse_copy, "select customer_id from marts.customer_consent where is_email_contactable")
    }
    assert exported == set(members) - set(withdrawn)
    assert exported <= contactable and len(exported) > 50
    emails = dict(_rows(warehouse_copy, "select customer_id, email from marts.dim_customers"))
    assert all(row["email"] == emails[row["external_id"]] for row in rows)
    assert list(rows[0]) == ["external_id", "email", "first_name", "last_name", "loyalty_tier", "in_segment_since"]


def test_advertising_export_has_hashes_only_and_only_advertising_opt_ins(warehouse_copy, tmp_path):
    members = _members(warehouse_copy)
    opted_in = members[::2]
    for customer_id in opted_in:
        _execute(
            warehouse_copy,
            "update marts.customer_consent set is_advertising_opted_in = true where customer_id = ?",
            [customer_id],
        )
    result = export_segment(SEGMENT, "ads_platform", warehouse=warehouse_copy, out_dir=tmp_path / "out")
    text = result.file.read_text()
    rows = _read_csv(result.file)
    assert list(rows[0]) == ["hashed_email", "hashed_phone", "country"]

    people = {
        customer_id: (email, phone)
        for customer_id, email, phone in _rows(
            warehouse_copy, "select customer_id, email, phone from marts.dim_customers"
        )
    }
    # No raw e-mail or phone of anyone, and every identifier is a SHA-256 hex digest.
    assert "@" not in text and not re.search(r"\+\d{7,}", text)
    for row in rows:
        for column in ("hashed_email", "hashed_phone"):
            assert row[column] == "" or re.fullmatch(r"[0-9a-f]{64}", row[column])
    expected = {(sha256_email(people[c][0]) or "", sha256_phone(people[c][1]) or "") for c in opted_in}
    assert {(row["hashed_email"], row["hashed_phone"]) for row in rows} == expected
    opted_out_hashes = {sha256_email(people[c][0]) for c in set(members) - set(opted_in)} - {None}
    assert not opted_out_hashes & {row["hashed_email"] for row in rows}


def test_hashes_use_the_normalised_email_and_e164_phone():
    assert sha256_email("  Ann.Smith@Example.COM ") == hashlib.sha256(b"ann.smith@example.com").hexdigest()
    assert sha256_phone("+44 7700 900123") == hashlib.sha256(b"+447700900123").hexdigest()
    assert sha256_phone("07700 900123") is None  # not E.164: never guess a country here
    assert sha256_email(None) is None and sha256_email("  ") is None


@pytest.mark.parametrize(
    "destination,reader",
    [
        ("crm_email", lambda path: path.read_bytes()),
        ("store_sms", lambda path: path.read_bytes()),
        ("app_push", lambda path: path.read_bytes()),
    ],
)
def test_same_export_twice_gives_identical_files(built_warehouse, tmp_path, destination, reader):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.warehouse, warehouse)
    first = export_segment(SEGMENT, destination, warehouse=warehouse, out_dir=tmp_path / "one")
    second = export_segment(SEGMENT, destination, warehouse=warehouse, out_dir=tmp_path / "two")
    assert first.rows > 0
    assert reader(first.file) == reader(second.file)
    assert first.manifest.read_bytes() == second.manifest.read_bytes()
    manifest = json.loads(first.manifest.read_text())
    assert manifest["sha256"] == hashlib.sha256(first.file.read_bytes()).hexdigest()
    assert manifest["rows"] == first.rows and manifest["segment"] == SEGMENT and manifest["destination"] == destination
    built_at = _rows(warehouse, "select max(built_at) from marts.audience_segments")[0][0]
    assert manifest["build_time"] == built_at.isoformat(sep=" ")
    # Atomic writes leave no temporary files behind.
    assert sorted(path.name for path in (tmp_path / "one").iterdir()) == sorted([first.file.name, first.manifest.name])
    consent_column = {
        "crm_email": "is_email_contactable",
        "store_sms": "is_sms_contactable",
        "app_push": "is_push_contactable",
    }[destination]
    allowed = {
        row[0] for row in _rows(warehouse, f"select customer_id from marts.customer_consent where {consent_column}")
    }
    if destination == "store_sms":
        ids = {json.loads(line)["customer_id"] for line in first.file.read_text().splitlines()}
    elif destination == "app_push":
        ids = set(pq.read_table(first.file).column("customer_id").to_pylist())
    else:
        ids = {row["external_id"] for row in _read_csv(first.file)}
    assert ids and ids <= allowed


def test_diff_mode_sends_additions_and_removals_since_the_last_export(warehouse_copy, tmp_path):
    out = tmp_path / "out"
    first = export_segment(SEGMENT, "crm_email", mode="diff", warehouse=warehouse_copy, out_dir=out)
    members = _members(warehouse_copy)
    assert (first.added, first.removed, first.rows) == (len(members), 0, len(members))

    # The next build: one member left the segment, an e-mailable customer joined.
    leaver = members[0]
    joiner = _rows(
        warehouse_copy,
        """select consent.customer_id from marts.customer_consent as consent
           where consent.is_email_contactable and consent.customer_id not in (
               select customer_id from marts.segment_membership where segment_name = ?)
           order by 1 limit 1""",
        [SEGMENT],
    )[0][0]
    _execute(
        warehouse_copy,
        "delete from marts.segment_membership where segment_name = ? and customer_id = ?",
        [SEGMENT, leaver],
    )
    _execute(
        warehouse_copy,
        """insert into marts.segment_membership
           select ?, ?, built_at + interval 1 day, as_of_date, as_of_date, built_at + interval 1 day
           from marts.segment_membership limit 1""",
        [joiner, SEGMENT],
    )
    _execute(
        warehouse_copy,
        "update marts.segment_membership set built_at = built_at + interval 1 day where customer_id <> ?",
        [joiner],
    )
    _execute(warehouse_copy, "update marts.audience_segments set built_at = built_at + interval 1 day")

    second = export_segment(SEGMENT, "crm_email", mode="diff", warehouse=warehouse_copy, out_dir=out)
    rows = _read_csv(second.file)
    assert [(row["change"], row["external_id"]) for row in rows] == [("added", joiner), ("removed", leaver)]
    assert (second.added, second.removed) == (1, 1)
    email = _rows(warehouse_copy, "select email from marts.dim_customers where customer_id = ?", [leaver])[0][0]
    # a removal carries the row's keys, so the destination can find it: the customer id as sent, the e-mail sent raw
    # as its SHA-256 (the state keeps no raw personal data); the other columns are empty
    assert rows[1] == {
        "change": "removed",
        "external_id": leaver,
        "email": sha256_email(email),
        "first_name": "",
        "last_name": "",
        "loyalty_tier": "",
        "in_segment_since": "",
    }
    manifest = json.loads(second.manifest.read_text())
    assert manifest["keys"] == {"external_id": "as sent", "email": "sha256"}
    assert (manifest["added"], manifest["removed"], manifest["erased"]) == (1, 1, 0)

    # Exporting the same build again diffs against the same baseline: the same file.
    again = export_segment(SEGMENT, "crm_email", mode="diff", warehouse=warehouse_copy, out_dir=tmp_path / "again")
    assert again.file.read_bytes() == second.file.read_bytes()
    # The state is in the warehouse, by customer_id (so erasure can remove it).
    state = _rows(
        warehouse_copy, "select distinct customer_id from cdp_meta.export_state where destination = 'crm_email'"
    )
    assert (joiner,) in state


def _next_build(warehouse):
    """What a rebuild changes for the exports: the build time of the segments."""
    _execute(warehouse, "update marts.segment_membership set built_at = built_at + interval 1 day")
    _execute(warehouse, "update marts.audience_segments set built_at = built_at + interval 1 day")


def _state_values(warehouse) -> set[str]:
    """Every text value of the export state and the erasure notices, inside their JSON too."""
    values: set[str] = set()
    for table in ("export_state", "export_erasures"):
        for row in _rows(warehouse, f"select * from cdp_meta.{table}"):
            for value in row:
                if isinstance(value, str):
                    values.add(value)
                    if value.startswith("["):
                        values.update(str(item) for item in json.loads(value) if item is not None)
    return values


def test_erasure_reaches_every_destination_the_person_was_sent_to(warehouse_copy, tmp_path):
    members = _members(warehouse_copy)
    for customer_id in members:  # so that the person goes to the advertising platform too
        _execute(
            warehouse_copy,
            "update marts.customer_consent set is_advertising_opted_in = true where customer_id = ?",
            [customer_id],
        )
    out = tmp_path / "out"
    for destination in ("crm_email", "ads_platform"):
        export_segment(SEGMENT, destination, mode="diff", warehouse=warehouse_copy, out_dir=out)
    export_segment(SEGMENT, "app_push", warehouse=warehouse_copy, out_dir=out)
    person, email, phone, first_name = _rows(
        warehouse_copy,
        """select customer_id, email, phone, first_name from marts.dim_customers
           where email is not null and phone like '+%' and first_name is not null and customer_id in (
               select customer_id from cdp_meta.export_state group by 1 having count(distinct destination) = 3)
           order by 1 limit 1""",
    )[0]
    # what the state keeps: keys and hashes, never the rows as sent
    kept = _state_values(warehouse_copy)
    assert person in kept and sha256_email(email) in kept
    assert not {email, phone, first_name} & kept and not [value for value in kept if "@" in value]

    forgotten = _invoke(["forget", person, "--yes", "--no-build"], warehouse_copy)
    assert forgotten.exit_code == 0, forgotten.output
    assert "the next export to crm_email tells it to delete" in forgotten.output
    _next_build(warehouse_copy)

    printed = _invoke(["export", SEGMENT, "--to", "crm_email", "--mode", "diff", "--out", str(out)], warehouse_copy)
    assert "1 removed, of which 1 erased" in printed.output, printed.output
    assert [row for row in _read_csv(out / f"{SEGMENT}.diff.csv") if row["change"] != "added"] == [
        {
            "change": "erased",
            "external_id": person,
            "email": sha256_email(email),
            "first_name": "",
            "last_name": "",
            "loyalty_tier": "",
            "in_segment_since": "",
        }
    ]
    manifest = json.loads((out / f"{SEGMENT}.diff.manifest.json").read_text())
    assert (manifest["erased"], manifest["removed"]) == (1, 1)
    ads = export_segment(SEGMENT, "ads_platform", mode="diff", warehouse=warehouse_copy, out_dir=out)
    assert [row for row in _read_csv(ads.file) if row["change"] == "erased"] == [
        {"change": "erased", "hashed_email": sha256_email(email), "hashed_phone": sha256_phone(phone), "country": ""}
    ]
    push = export_segment(SEGMENT, "app_push", warehouse=warehouse_copy, out_dir=out)
    assert push.erasures_file is not None and push.erased == 1
    assert pq.read_table(push.erasures_file).column("customer_id").to_pylist() == [person]
    assert person not in set(pq.read_table(push.file).column("customer_id").to_pylist())
    assert json.loads(push.manifest.read_text())["erasures_file"] == push.erasures_file.name

    # delivered: nothing about the person is left, and a later export sends no notice again
    assert not {person, sha256_email(email)} & _state_values(warehouse_copy)
    again = export_segment(SEGMENT, "app_push", warehouse=warehouse_copy, out_dir=out)
    assert (again.erased, again.erasures_file) == (0, None) and not push.erasures_file.exists()


def test_a_state_kept_as_rows_is_turned_into_keys(warehouse_copy, tmp_path):
    """Warehouses exported to by an earlier cdp keep the rows as sent, raw personal data included."""
    first = export_segment(SEGMENT, "crm_email", mode="diff", warehouse=warehouse_copy, out_dir=tmp_path / "out")
    sent = {row["external_id"]: row for row in _read_csv(first.file)}
    _execute(warehouse_copy, "drop table cdp_meta.export_state")
    _execute(
        warehouse_copy,
        "create table cdp_meta.export_state (destination varchar not null, segment_name varchar not null, "
        "customer_id varchar not null, row_json varchar not null, built_at timestamp not null)",
    )
    built_at = _rows(warehouse_copy, "select max(built_at) from marts.audience_segments")[0][0]
    for customer_id, row in sent.items():
        values = [row["external_id"], row["email"], row["first_name"] or None, row["last_name"] or None]
        values += [row["loyalty_tier"] or None, row["in_segment_since"] or None]
        _execute(
            warehouse_copy,
            "insert into cdp_meta.export_state values ('crm_email', ?, ?, ?, ?)",
            [SEGMENT, customer_id, json.dumps(values, separators=(",", ":")), built_at],
        )
    leaver = sorted(sent)[0]
    _execute(warehouse_copy, "delete from marts.segment_membership where customer_id = ?", [leaver])
    _next_build(warehouse_copy)

    second = export_segment(SEGMENT, "crm_email", mode="diff", warehouse=warehouse_copy, out_dir=tmp_path / "out")
    assert [(row["change"], row["external_id"], row["email"]) for row in _read_csv(second.file)] == [
        ("removed", leaver, sha256_email(sent[leaver]["email"]))
    ]
    columns = [row[0] for row in _rows(warehouse_copy, "describe cdp_meta.export_state")]
    assert "row_json" not in columns and not [value for value in _state_values(warehouse_copy) if "@" in value]


def _invoke(args, warehouse):
    return CliRunner().invoke(main, [*args, "--warehouse", str(warehouse)])


@pytest.mark.parametrize(
    "args,message",
    [
        (["export", "no_such_segment", "--to", "crm_email"], "unknown segment 'no_such_segment'"),
        (["export", SEGMENT, "--to", "no_such_destination"], "unknown destination 'no_such_destination'"),
    ],
)
def test_unknown_segment_or_destination_is_refused_and_nothing_written(built_warehouse, tmp_path, args, message):
    out = tmp_path / "out"
    result = _invoke([*args, "--out", str(out)], built_warehouse.warehouse)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_destination_receiving_raw_pii_it_may_not_is_refused(built_warehouse, tmp_path):
    settings = yaml.safe_load(DESTINATIONS_FILE.read_text())
    leaky = settings["destinations"]["ads_platform"]
    leaky["columns"].append({"column": "first_name", "as": "name"})  # tagged pii in customer_profile
    leaky["folder"] = str(tmp_path / "out")
    destinations = tmp_path / "destinations.yml"
    destinations.write_text(yaml.safe_dump(settings))
    result = _invoke(
        ["export", SEGMENT, "--to", "ads_platform", "--destinations", str(destinations)], built_warehouse.warehouse
    )
    assert result.exit_code == 1
    assert "destination 'ads_platform' does not allow raw personal data" in result.output
    assert "'first_name'" in result.output
    assert not (tmp_path / "out").exists()

    # A raw e-mail identifier (no hash) is refused the same way.
    settings["destinations"]["ads_platform"]["identifiers"][0].pop("hash")
    settings["destinations"]["ads_platform"]["columns"].pop()
    destinations.write_text(yaml.safe_dump(settings))
    result = _invoke(
        ["export", SEGMENT, "--to", "ads_platform", "--destinations", str(destinations)], built_warehouse.warehouse
    )
    assert result.exit_code == 1 and "'email'" in result.output
    assert not (tmp_path / "out").exists()


def test_export_marts_writes_parquet_that_reads_back_whole(built_warehouse, tmp_path):
    result = export_marts(tmp_path / "bi", warehouse=built_warehouse.warehouse)
    assert {"dim_customers", "customer_consent", "segment_membership", "audience_segments"} <= set(result.tables)
    manifest = json.loads(result.manifest.read_text())
    for name, rows in result.tables.items():
        path = tmp_path / "bi" / f"{name}.parquet"
        assert (
            pq.read_table(path).num_rows
            == rows
            == _rows(built_warehouse.warehouse, f"select count(*) from marts.{name}")[0][0]
        )
        assert manifest["tables"][name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not [path for path in (tmp_path / "bi").iterdir() if path.name.startswith(".")]


def test_every_destination_has_a_matching_exposure():
    destinations = load_destinations()
    exposures_file = (
        Path(__file__).resolve().parents[2] / "models" / "marts" / "audiences" / "_audiences__exposures.yml"
    )
    exposures = yaml.safe_load(exposures_file.read_text())["exposures"]
    declared = {
        exposure["config"]["meta"]["destination"]: exposure
        for exposure in exposures
        if (exposure.get("config") or {}).get("meta", {}).get("destination")
    }
    assert set(declared) == set(destinations)
    for name, destination in destinations.items():
        exposure = declared[name]
        assert exposure["name"] == f"export_{name}"
        assert exposure["config"]["meta"]["channel"] == destination.channel
        assert exposure["config"]["meta"]["allow_raw_pii"] == destination.allow_raw_pii
    assert any(exposure["type"] == "dashboard" for exposure in exposures)
