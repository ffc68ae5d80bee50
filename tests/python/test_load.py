"""The file loader: records as delivered, parse errors kept, bad files refused whole, loads atomic and once."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from pathlib import Path

import duckdb
import pytest

from cdp_runner.errors import UserError
from cdp_runner.ingest import delivery, loader, reading
from cdp_runner.ingest.contracts import SOURCES
from cdp_runner.ingest.loader import load_path

STORES_HEADER = "store_id,store_name,city,postcode,country,opened_on,closed_on"


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every raw table and of the ledger."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        tables = [f"raw.{source.name}" for source in SOURCES] + ["cdp_meta.load_ledger"]
        return {table: con.execute(f"select * from {table} order by all").fetchall() for table in tables}
    finally:
        con.close()


@pytest.fixture
def loaded_before(tmp_path, warehouse) -> dict[str, list[tuple]]:
    """A warehouse that already holds one load; returns its snapshot."""
    load_path(write(tmp_path / "before" / "products.csv", "product_sku,product_name\nP1,Pen\n"), warehouse=warehouse)
    state = snapshot(warehouse)
    assert state["raw.products"] and state["cdp_meta.load_ledger"]
    return state


# --- good files ------------------------------------------------------------------------------


def test_csv_keeps_every_value_as_delivered(tmp_path, warehouse, query):
    file = write(
        tmp_path / "crm_customers.csv",
        "crm_customer_id,Email , FIRST_NAME,created_at,updated_at,favourite_colour\n"
        'C1,  ann@example.com ,"Ann, ""Annie""",2025-03-04T10:22:33+02:00,yesterday,blue\n'
        ",bob@example.com,,not a date,2025-01-01,\n",
    )
    [result] = load_path(file, warehouse=warehouse)

    assert (result.status, result.source_name, result.file_name) == ("loaded", "crm_customers", "crm_customers.csv")
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (2, 2, 0)
    sha = hashlib.sha256(file.read_bytes()).hexdigest()
    assert result.load_id == f"crm_customers-{sha[:16]}"
    assert result.ignored_columns == ("favourite_colour",)
    rows = query(
        "select crm_customer_id, email, first_name, created_at, updated_at, phone, "
        "_row_number, _load_id, _file_name, _parse_error, _raw_record, _loaded_at is not null "
        "from raw.crm_customers order by _row_number"
    )
    assert rows == [
        (
            "C1",
            "  ann@example.com ",
            'Ann, "Annie"',
            "2025-03-04T10:22:33+02:00",
            "yesterday",
            None,
            1,
            result.load_id,
            "crm_customers.csv",
            None,
            None,
            True,
        ),
        # An empty key and a bad date are staging's business: loaded as delivered (empty fields are null).
        (
            None,
            "bob@example.com",
            None,
            "not a date",
            "2025-01-01",
            None,
            2,
            result.load_id,
            "crm_customers.csv",
            None,
            None,
            True,
        ),
    ]
    [ledger] = query(
        "select load_id, source_name, file_name, file_path, content_sha256, file_format, rows_read, rows_accepted, "
        "rows_rejected, column_mapping, ignored_columns, started_at <= finished_at from cdp_meta.load_ledger"
    )
    assert ledger == (
        result.load_id,
        "crm_customers",
        "crm_customers.csv",
        str(file.resolve()),
        sha,
        "csv",
        2,
        2,
        0,
        None,
        '["favourite_colour"]',
        True,
    )


def test_csv_lines_that_cannot_be_split_are_kept_with_their_text(tmp_path, warehouse, query):
    file = write(
        tmp_path / "stores.csv",
        f"{STORES_HEADER}\n"
        "S1,One,Berlin,10115,DE,2020-01-01,\n"
        "S2,Two,Hamburg,20095,DE,2020-01-01,,x\n"
        "S3,Three\n"
        'S4,"Four, with comma",Köln,50667,DE,2021-05-05,\n'
        'S5,"unclosed,Bonn,53111,DE,2020-01-01,\n',
    )
    [result] = load_path(file, warehouse=warehouse)

    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (5, 2, 3)
    assert query("select _row_number, store_id, store_name, _parse_error, _raw_record from raw.stores order by 1") == [
        (1, "S1", "One", None, None),
        (2, None, None, "wrong column count: expected 7 fields, found 8", "S2,Two,Hamburg,20095,DE,2020-01-01,,x"),
        (3, None, None, "wrong column count: expected 7 fields, found 2", "S3,Three"),
        (4, "S4", "Four, with comma", None, None),
        (5, None, None, "malformed quoting", 'S5,"unclosed,Bonn,53111,DE,2020-01-01,'),
    ]
    assert query("select rows_read, rows_accepted, rows_rejected from cdp_meta.load_ledger") == [(5, 2, 3)]


def test_csv_bytes_that_are_not_utf8_reject_the_record_only_in_loaded_columns(tmp_path, warehouse, query):
    file = write(tmp_path / "stores.csv", b"store_id,store_name,notes\nS1,One,caf\xe9\nS2,Caf\xe9,x\nS3,Three,\n")
    [result] = load_path(file, warehouse=warehouse)

    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3, 2, 1)
    assert query("select _row_number, store_id, _parse_error, _raw_record from raw.stores order by 1") == [
        (1, "S1", None, None),  # the bad byte is in a column the contract does not have
        (2, None, "invalid UTF-8", "S2,Caf??x"),  # DuckDB's copy: '?' for the bad byte and the one after
        (3, "S3", None, None),
    ]


def test_csv_row_numbers_count_records_not_lines(tmp_path, warehouse, query):
    # Blank lines are not records; a quoted value may span lines; CRLF line ends; a byte-order mark.
    file = write(
        tmp_path / "stores.csv",
        "\ufeff" + STORES_HEADER + "\r\n"
        "S1,One,Berlin,,,,\r\n"
        "\r\n"
        'S2,"Two\r\nlines",Berlin,,,,\r\n'
        "S3,x,y\r\n"
        "\r\n"
        "S4,Four,Berlin,,,,\r\n"
        "S5,Five,Berlin,,,,,,x\r\n"
        "S6,Six,Berlin,,,,\r\n"
        "\r\n\r\n",
    )
    [result] = load_path(file, warehouse=warehouse)

    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (6, 4, 2)
    assert query("select _row_number, store_id, store_name, _parse_error, _raw_record from raw.stores order by 1") == [
        (1, "S1", "One", None, None),
        (2, "S2", "Two\r\nlines", None, None),
        (3, None, None, "wrong column count: expected 7 fields, found 3", "S3,x,y"),
        (4, "S4", "Four", None, None),
        (5, None, None, "wrong column count: expected 7 fields, found 9", "S5,Five,Berlin,,,,,,x"),
        (6, "S6", "Six", None, None),
    ]


def test_csv_surplus_fields_that_are_empty_are_dropped(tmp_path, warehouse, query):
    # DuckDB's reader accepts a record whose extra fields are all empty (a trailing comma): no value is lost.
    file = write(tmp_path / "stores.csv", "store_id,store_name\nS1,One,\nS2,Two,,\nS3,Three,,x\n")
    [result] = load_path(file, warehouse=warehouse)

    assert (result.rows_accepted, result.rows_rejected) == (2, 1)
    assert query("select _row_number, store_id, store_name, _parse_error from raw.stores order by 1") == [
        (1, "S1", "One", None),
        (2, "S2", "Two", None),
        (3, None, None, "wrong column count: expected 2 fields, found 4"),
    ]


def test_csv_quote_left_open_takes_only_its_own_line(tmp_path, warehouse, query):
    # The reader follows an open quote to the end of the file (or to the next quote): every later record would sit
    # inside one quarantined row. The loader reads the lines after such a record again.
    file = write(
        tmp_path / "stores.csv",
        f"{STORES_HEADER}\n"
        "S1,One,Berlin,,,,\n"
        'S2,"Two,Leeds,,,,\n'
        "S3,Three,York,,,,\n"
        'S4,"Four, quoted",Bath,,,,\n'
        "S5,Five,Ely,,,,\n"
        'S6,"Six,Kent,,,,\n',
    )
    [result] = load_path(file, warehouse=warehouse)

    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (6, 4, 2)
    assert query("select _row_number, store_id, store_name, _parse_error, _raw_record from raw.stores order by 1") == [
        (1, "S1", "One", None, None),
        (2, None, None, "malformed quoting", 'S2,"Two,Leeds,,,,'),
        (3, "S3", "Three", None, None),
        (4, "S4", "Four, quoted", None, None),
        (5, "S5", "Five", None, None),
        (6, None, None, "malformed quoting", 'S6,"Six,Kent,,,,'),
    ]
    assert query("select rows_read, rows_accepted, rows_rejected from cdp_meta.load_ledger") == [(6, 4, 2)]
    assert not [path for path in warehouse.parent.iterdir() if path.name.startswith(".cdp-load-")]


def test_csv_open_quote_over_many_lines_loses_no_record(tmp_path, warehouse, query):
    # Longer than a record may be (2,000,000 bytes), and with blank lines and a valid multi-line value after it.
    lines = [STORES_HEADER, 'S0,"never closed,x,,,,'] + [f"S{n},Name {n},City,,,," for n in range(1, 60001)]
    lines[30000:30000] = ["", 'S30000b,"two\nlines",City,,,,']
    [result] = load_path(write(tmp_path / "stores.csv", "\n".join(lines) + "\n"), warehouse=warehouse)

    assert (result.rows_read, result.rows_rejected) == (60002, 1)
    assert query("select count(*), count(store_id), max(_row_number) from raw.stores") == [(60002, 60001, 60002)]
    assert query("select _row_number, store_name from raw.stores where store_id = 'S30000b'") == [(30000, "two\nlines")]


@pytest.mark.parametrize(
    "line",
    ['S1,"Main" Street,Berlin,,,,', 'S1,"Main"Street,Berlin,,,,', 'S1,One,"Berlin" x,,,,', 'S1,"Ann ""A"" B" x,,,,,'],
)
def test_csv_text_after_a_closing_quote_quarantines_that_record_only(tmp_path, warehouse, query, line):
    file = write(tmp_path / "stores.csv", f"{STORES_HEADER}\nS0,Zero,Bonn,,,,\n{line}\nS2,Two,Köln,,,,\n")
    [result] = load_path(file, warehouse=warehouse)

    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3, 2, 1)
    assert query("select _row_number, store_id, _parse_error, _raw_record from raw.stores order by 1") == [
        (1, "S0", None, None),
        (2, None, "malformed quoting", line),
        (3, "S2", None, None),
    ]


def test_csv_lines_of_white_space_are_blank_lines(tmp_path, warehouse, query):
    file = write(tmp_path / "stores.csv", f"{STORES_HEADER}\nS1,One,,,,,\n   \nS2,Two,,,,,\n \t \nS3,x\n  \n")
    [result] = load_path(file, warehouse=warehouse)

    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3, 2, 1)
    assert query("select _row_number, store_id, _parse_error from raw.stores order by 1") == [
        (1, "S1", None),
        (2, "S2", None),
        (3, None, "wrong column count: expected 7 fields, found 2"),
    ]


def test_csv_carriage_return_inside_a_line_quarantines_that_record(tmp_path, warehouse, query):
    # Quoted, a CR is part of the value; unquoted, it ends no line and makes DuckDB's reader give up on the file.
    file = write(
        tmp_path / "stores.csv",
        f'{STORES_HEADER}\nS1,"One\rquoted",,,,,\nS2,Two\rhalf,Köln,,,,\nS3,Three,,,,,\n',
    )
    [result] = load_path(file, warehouse=warehouse)

    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (3, 2, 1)
    assert query("select _row_number, store_id, store_name, _parse_error, _raw_record from raw.stores order by 1") == [
        (1, "S1", "One\rquoted", None, None),
        (2, None, None, "carriage return (CR) outside quotes that does not end the line", "S2,Two\rhalf,Köln,,,,"),
        (3, "S3", "Three", None, None),
    ]


@pytest.mark.parametrize("seed", [1, 2])
def test_csv_row_numbers_match_the_file_for_many_mixed_records(tmp_path, warehouse, query, seed):
    rng = random.Random(seed)
    lines, expected = [STORES_HEADER], []
    for number in range(1, 3001):
        if rng.random() < 0.05:
            lines.append("")
        shape = rng.random()
        if shape < 0.05:
            record = f"S{number},too,many,fields,here,x,y,z"
        elif shape < 0.10:
            record = f"S{number},too few"
        elif shape < 0.13:
            record = f'S{number},"spans\nlines",c,p,DE,,'
        else:
            record = f"S{number},name,c,p,DE,,"
        lines.append(record)
        kept = None if shape < 0.10 else f"S{number}"
        expected.append((number, kept, record if kept is None else None))
    [result] = load_path(write(tmp_path / "stores.csv", "\n".join(lines) + "\n"), warehouse=warehouse)

    assert result.rows_read == 3000
    assert query("select _row_number, store_id, _raw_record from raw.stores order by 1") == expected


def test_jsonl_keeps_values_as_delivered(tmp_path, warehouse, query):
    file = write(
        tmp_path / "email_events_2025.jsonl",
        '{"email_event_id": "m1", "EVENT_TYPE": "click", "email": " A@X.COM", "occurred_at": "2025-01-01T00:00:00Z",'
        ' "link_url": {"href": "https://x"}, "campaign_id": 7, "bounce_type": null, "tracking": true}\n'
        '{"email_event_id": "m2", "EVENT_TYPE": "", "email": "b@x.com", "occurred_at": "soon"}\n',
    )
    [result] = load_path(file, warehouse=warehouse)

    assert result.source_name == "email_events"
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (2, 2, 0)
    assert result.ignored_columns == ("tracking",)
    rows = query(
        "select email_event_id, event_type, email, occurred_at, link_url, campaign_id, bounce_type, "
        "_row_number, _parse_error, _raw_record from raw.email_events order by _row_number"
    )
    assert rows == [
        ("m1", "click", " A@X.COM", "2025-01-01T00:00:00Z", '{"href":"https://x"}', "7", None, 1, None, None),
        ("m2", "", "b@x.com", "soon", None, None, None, 2, None, None),
    ]


def test_jsonl_lines_that_are_not_objects_are_kept_with_their_text(tmp_path, warehouse, query):
    good = '{"chat_id": "c%d", "started_at": "2025-01-01"}'
    file = write(
        tmp_path / "live_chats.jsonl",
        (good % 1 + "\n\n{not json\n[1, 2]\n").encode()
        + b'{"chat_id": "\xff"}\n'  # not UTF-8: DuckDB holds the line back, shows the byte as '?'
        + b"   \n"
        + (good % 6 + "\x1f" + good % 7 + "\n").encode()  # control characters are not JSON
        + (good % 8 + "\n").encode()
        + (good % 9 + " x\n").encode()  # one object, then more
        + b"null\n"
        + (" " + good % 11 + "\n").encode(),
    )
    [result] = load_path(file, warehouse=warehouse)

    # the counts come from the check's parse, the rows from the insert's: they agree
    assert (result.rows_read, result.rows_accepted, result.rows_rejected) == (9, 3, 6)
    assert query("select _row_number, chat_id, _parse_error, _raw_record from raw.live_chats order by 1") == [
        (1, "c1", None, None),
        (2, None, "malformed JSON", "{not json"),
        (3, None, "not a JSON object", "[1, 2]"),
        (4, None, "invalid UTF-8", '{"chat_id": "?"}'),
        (5, None, "malformed JSON", good % 6 + "\x1f" + good % 7),
        (6, "c8", None, None),
        (7, None, "malformed JSON", good % 9 + " x"),
        (8, None, "not a JSON object", "null"),
        (9, "c11", None, None),
    ]


def test_jsonl_row_numbers_match_the_file_for_many_mixed_records(tmp_path, warehouse, query):
    # Malformed lines are rows of DuckDB's line reader; lines that are not UTF-8 it holds back.
    rng = random.Random(3)
    lines, expected = [], []
    for number in range(1, 2001):
        if rng.random() < 0.05:
            lines.append(b" ")
        shape = rng.random()
        record = f'{{"chat_id": "c{number}", "started_at": "2025-01-01"}}'.encode()
        if shape < 0.05:
            record = record[:-1]
        elif shape < 0.08:
            record = b'{"chat_id": "\xff"}'
        lines.append(record)
        expected.append((number, None if shape < 0.08 else f"c{number}"))
    write(tmp_path / "live_chats.jsonl", b"\n".join(lines))
    load_path(tmp_path / "live_chats.jsonl", warehouse=warehouse)

    assert query("select _row_number, chat_id from raw.live_chats order by 1") == expected


@pytest.mark.parametrize("file_format", ["csv", "jsonl"])
def test_row_numbers_follow_the_file_when_it_is_read_on_every_core(tmp_path, warehouse, query, file_format):
    # Several row groups (DuckDB's are 122,880 rows), read in parallel; a blank line and a rejected record late in
    # the file make every row after them renumbered.
    count, blank_before, broken = 300_000, 250_000, 280_000
    lines = [STORES_HEADER] if file_format == "csv" else []
    for number in range(1, count + 1):
        if number == blank_before:
            lines.append("")
        if file_format == "csv":
            lines.append(f"S{number},too few" if number == broken else f"S{number},name,c,p,DE,,")
        else:
            lines.append(f'{{"store_id": "S{number}", "store_name": "name"' + ("" if number == broken else "}"))
    write(tmp_path / f"stores.{file_format}", "\n".join(lines) + "\n")

    [result] = load_path(tmp_path / f"stores.{file_format}", warehouse=warehouse)

    assert (result.rows_read, result.rows_rejected) == (count, 1)
    misplaced = query(
        "select count(*), count(*) filter (where store_id is distinct from 'S' || _row_number), "
        "max(_row_number) filter (where _parse_error is not null) from raw.stores"
    )
    assert misplaced == [(count, 1, broken)]


@pytest.mark.parametrize(
    ("sql_type", "value", "text"),
    [
        ("timestamptz", "2025-03-04 10:22:33+02", "2025-03-04T08:22:33Z"),
        ("timestamp", "2025-03-04 10:22:33.5", "2025-03-04T10:22:33.5"),
        ("varchar", "2025-03-04T10:22:33+02:00", "2025-03-04T10:22:33+02:00"),
    ],
)
def test_parquet_columns_become_text(tmp_path, warehouse, query, sql_type, value, text):
    file = tmp_path / "app_events.parquet"
    con = duckdb.connect()
    con.execute(
        f"""copy (select * from (values ('e1', 'app_open', '{value}'::{sql_type}, 'd1', 12.50::decimal(6, 2), 1),
                                         ('e2', 'login', null, 'd2', null, 2))
                  as t("Event_ID", event_type, occurred_at, device_id, app_version, extra))
            to '{file}' (format parquet)"""
    )
    con.close()
    [result] = load_path(file, warehouse=warehouse)

    assert (result.rows_read, result.rows_rejected, result.ignored_columns) == (2, 0, ("extra",))
    assert query(
        "select event_id, event_type, occurred_at, device_id, app_version, platform, _row_number, _parse_error "
        "from raw.app_events order by _row_number"
    ) == [("e1", "app_open", text, "d1", "12.50", None, 1, None), ("e2", "login", None, "d2", None, None, 2, None)]


def test_source_can_be_given_for_a_file_named_otherwise(tmp_path, warehouse, query):
    file = write(tmp_path / "export-2025-01.csv", "store_id,store_name\nS1,One\n")
    [result] = load_path(file, warehouse=warehouse, source="stores")

    assert result.source_name == "stores"
    assert query("select store_id, _file_name from raw.stores") == [("S1", "export-2025-01.csv")]


def test_directory_loads_top_level_files_only(tmp_path, warehouse, query):
    folder = tmp_path / "delivery"
    write(folder / "stores.csv", "store_id,store_name\nS1,One\n")
    write(folder / "products.csv", "product_sku,product_name\nP1,Pen\n")
    write(folder / "_truth" / "stores.csv", "store_id,store_name\nTRUTH,never loaded\n")
    write(folder / "_truth" / "unknown_thing.bin", b"\0\1\2")
    write(folder / ".hidden_notes.txt", "not data")

    progress = []
    results = load_path(folder, warehouse=warehouse, on_progress=lambda *update: progress.append(update))

    assert [result.file_name for result in results] == ["products.csv", "stores.csv"]
    size = {name: (folder / name).stat().st_size for name in ("products.csv", "stores.csv")}
    total = sum(size.values())
    assert progress == [
        ("checking", "products.csv", 0, total),
        ("checking", "products.csv", size["products.csv"], total),
        ("checking", "stores.csv", size["products.csv"], total),
        ("checking", "stores.csv", total, total),
        ("loading", "products.csv", 0, total),
        ("loading", "products.csv", size["products.csv"], total),
        ("loading", "stores.csv", size["products.csv"], total),
        ("loading", "stores.csv", total, total),
    ]
    assert query("select store_id from raw.stores") == [("S1",)]
    assert query("select count(*) from cdp_meta.load_ledger") == [(2,)]


def test_directory_skips_files_that_are_not_data_with_a_note(tmp_path, warehouse, query):
    folder = tmp_path / "delivery"
    write(folder / "stores.csv", "store_id,store_name\nS1,One\n")
    write(folder / "README", "what this export is")
    write(folder / "export.log", "exported 1 row")
    write(folder / "notes.txt", "not data")
    (folder / "old_link.txt").symlink_to(tmp_path / "gone.txt")

    results = load_path(folder, warehouse=warehouse)

    assert [(result.file_name, result.status) for result in results] == [
        ("README", "skipped"),
        ("export.log", "skipped"),
        ("notes.txt", "skipped"),
        ("old_link.txt", "skipped"),
        ("stores.csv", "loaded"),
    ]
    assert all("not a data file" in (result.note or "") for result in results[:4])
    assert query("select store_id from raw.stores") == [("S1",)]


def test_a_data_file_that_cannot_be_read_stops_the_directory(tmp_path, warehouse, loaded_before, monkeypatch):
    folder = tmp_path / "delivery"
    write(folder / "products_new.csv", "product_sku,product_name\nP2,Paper\n")
    (folder / "stores.csv").symlink_to(tmp_path / "moved_away.csv")
    with pytest.raises(UserError, match=r"^stores\.csv: a symbolic link to a missing file"):
        load_path(folder, warehouse=warehouse)
    (folder / "stores.csv").unlink()
    os.mkfifo(folder / "stores.csv")
    with pytest.raises(UserError, match=r"^stores\.csv: not a regular file"):
        load_path(folder, warehouse=warehouse)
    (folder / "stores.csv").unlink()
    locked = write(folder / "stores.csv", "store_id,store_name\nS1,One\n")
    real_open = Path.open

    def no_permission(self, *args, **kwargs):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", no_permission)  # the tests run as root, whom chmod does not stop
    with pytest.raises(UserError, match=r"^stores\.csv: cannot read it: Permission denied$"):
        load_path(folder, warehouse=warehouse)
    assert snapshot(warehouse) == loaded_before


# --- bad files: refused whole, nothing written ----------------------------------------------------

PARQUET_WITHOUT_REQUIRED = object()  # written by the test, with DuckDB
PARQUET_CORRUPT_PAGES = object()

BAD_FILES = [
    ("customers.csv", "id\n1\n", "cannot tell the source from the file name"),
    ("stores.xlsx", "store_id,store_name\n", "unsupported file type"),
    ("stores.csv", b"", "empty file"),
    ("stores.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10", "not a CSV file"),
    ("stores.csv", b"store_id,store_name\n" + random.Random(0).randbytes(3000), "binary content (NUL bytes)"),
    ("stores.csv", b"store_id,store_name\nS1,One\nS2,T\x00wo\n", "binary content (NUL bytes)"),
    ("live_chats.jsonl", b'{"chat_id": "c1", "started_at": "x\x00"}\n', "binary content (NUL bytes)"),
    ("stores.csv", b"store_id,store_name\rS1,One\rS2,Two\r", "carriage return (CR) that does not end a line"),
    ("stores.csv", "store_id,store_name\nS1,One\nS2,Two\r\n", "some lines end in CRLF and others in LF"),
    ("live_chats.jsonl", '{"chat_id": "c1"}\r\n{"chat_id": "c2"}\n', "some lines end in CRLF and others in LF"),
    ("stores.csv", "store_id;store_name\nS1;One\n", "does not look comma-separated"),
    ("stores.csv", "store_id,city\nS1,Berlin\n", "missing required column store_name of stores"),
    ("stores.csv", "store_id,store_name,STORE_NAME\nS1,a,b\n", "columns 'store_name' and 'STORE_NAME' both deliver"),
    ("app_events.parquet", "PAR1 but not really", "cannot read it as parquet"),
    ("app_events.parquet", PARQUET_WITHOUT_REQUIRED, "missing required columns event_type, occurred_at, device_id"),
    ("app_events.parquet", PARQUET_CORRUPT_PAGES, "cannot read it as parquet"),
    ("live_chats.jsonl", "", "no records"),
    ("live_chats.jsonl", "chat_id,started_at\nc1,2025-01-01\n", "no line is a JSON object"),
    ("live_chats.jsonl", '{"chat_id": "c1"}\n{"CHAT_ID": "c2", "started_at": "x"}\n', "both deliver 'chat_id'"),
    ("live_chats.jsonl", '{"chat_id": "c1"}\n{"chat_id": "c2", "Start": "x"}\n', "missing required column started_at"),
]


@pytest.mark.parametrize(("name", "content", "message"), BAD_FILES, ids=[message for _, _, message in BAD_FILES])
def test_bad_file_is_refused_and_nothing_is_written(tmp_path, warehouse, loaded_before, name, content, message):
    file = tmp_path / "delivery" / name
    if content is PARQUET_WITHOUT_REQUIRED:
        file.parent.mkdir()
        duckdb.connect().execute(f"copy (select 'e1' as event_id) to '{file}' (format parquet)")
    elif content is PARQUET_CORRUPT_PAGES:  # schema and row count intact, data pages zeroed
        file.parent.mkdir()
        duckdb.connect().execute(
            f"""copy (select 'e' || i as event_id, 'app_open' as event_type, '2025-01-01' as occurred_at,
                             'd' || i as device_id from range(20000) as t(i)) to '{file}' (format parquet)"""
        )
        data = bytearray(file.read_bytes())
        data[4:2000] = bytes(1996)
        file.write_bytes(bytes(data))
    else:
        write(file, content)

    with pytest.raises(UserError) as raised:
        load_path(file, warehouse=warehouse)

    assert raised.value.message.startswith(f"{name}: ")
    assert message in raised.value.message
    assert "\n" not in raised.value.message
    assert snapshot(warehouse) == loaded_before


def test_one_bad_file_stops_the_whole_directory(tmp_path, warehouse, loaded_before):
    folder = tmp_path / "delivery"
    write(folder / "products_new.csv", "product_sku,product_name\nP2,Paper\n")
    write(folder / "stores.csv", "store_id,store_name\nS1,One\n")
    write(folder / "stores_zz_broken.csv", "store_id\nS2\n")  # checked last, after the good ones

    with pytest.raises(UserError, match=r"^stores_zz_broken\.csv: missing required column store_name"):
        load_path(folder, warehouse=warehouse)

    assert snapshot(warehouse) == loaded_before


def test_unknown_source_name_is_refused(tmp_path, warehouse):
    file = write(tmp_path / "stores.csv", "store_id,store_name\nS1,One\n")

    with pytest.raises(UserError, match="unknown source 'shops'"):
        load_path(file, warehouse=warehouse, source="shops")
    assert not warehouse.exists()


def test_missing_path_is_refused(tmp_path, warehouse):
    with pytest.raises(UserError, match="no such file or directory"):
        load_path(tmp_path / "nowhere", warehouse=warehouse)
    with pytest.raises(UserError, match="no files to load"):
        load_path(write(tmp_path / "empty" / "_truth" / "x.csv", "a\n").parent.parent, warehouse=warehouse)


def test_records_that_cannot_be_accounted_for_stop_the_load(tmp_path, warehouse, loaded_before, monkeypatch):
    # Blank lines send the check down the independent count; pretend that count disagrees.
    file = write(tmp_path / "stores.csv", "store_id,store_name\nS1,One\n\nS2,Two\n")
    monkeypatch.setattr(reading, "_count_csv_records", lambda file: (3, []))

    with pytest.raises(UserError, match=r"^stores\.csv: DuckDB read 2 records and rejected 0, but the file has 3"):
        load_path(file, warehouse=warehouse)
    assert snapshot(warehouse) == loaded_before


@pytest.mark.parametrize("chunk_bytes", [1, 2, 3, 5, 64])
def test_the_fingerprint_counts_line_ends_across_chunks(tmp_path, monkeypatch, chunk_bytes):
    # Chunks without a carriage return skip counting them: a CRLF split between two chunks must still count.
    monkeypatch.setattr(delivery, "HASH_CHUNK_BYTES", chunk_bytes)
    rng = random.Random(chunk_bytes)
    pieces = [b"ab", b"\n", b"\r\n", b"\r", b"x" * 7, b"\0"]
    for number in range(200):
        data = b"".join(rng.choices(pieces, weights=[8, 4, 4, 1, 3, 0 if number % 2 else 1], k=rng.randrange(40)))
        fingerprint = delivery.fingerprint_file(write(tmp_path / "file.csv", data))

        newlines, crlfs = data.count(b"\n"), data.count(b"\r\n")
        assert fingerprint.sha256 == hashlib.sha256(data).hexdigest()
        assert fingerprint.lines == newlines + (1 if data and not data.endswith(b"\n") else 0)
        assert fingerprint.binary == (b"\0" in data)
        assert fingerprint.mixed_line_ends == (0 < crlfs < newlines), data
        assert fingerprint.bare_carriage_returns == (data.count(b"\r") > crlfs), data


# --- once per content ------------------------------------------------------------------------------


def test_reloading_a_file_changes_nothing(tmp_path, warehouse):
    file = write(tmp_path / "stores.csv", "store_id,store_name\nS1,One\nS2,Two,extra\n")
    [first] = load_path(file, warehouse=warehouse)
    state = snapshot(warehouse)

    [again] = load_path(file, warehouse=warehouse)

    assert again.status == "already_loaded"
    assert (again.load_id, again.original_file_name) == (first.load_id, "stores.csv")
    assert (again.rows_read, again.rows_accepted, again.rows_rejected) == (0, 0, 0)
    assert snapshot(warehouse) == state


def test_same_content_under_another_name_is_not_loaded_again(tmp_path, warehouse):
    file = write(tmp_path / "stores.csv", "store_id,store_name\nS1,One\n")
    [first] = load_path(file, warehouse=warehouse)
    state = snapshot(warehouse)

    [again] = load_path(shutil.copy(file, tmp_path / "stores_resent.csv"), warehouse=warehouse)

    assert (again.status, again.load_id, again.original_file_name) == ("already_loaded", first.load_id, "stores.csv")
    assert snapshot(warehouse) == state


def test_same_content_twice_in_one_directory_is_loaded_once(tmp_path, warehouse, query):
    folder = tmp_path / "delivery"
    write(folder / "stores.csv", "store_id,store_name\nS1,One\n")
    shutil.copy(folder / "stores.csv", folder / "stores_copy.csv")

    results = load_path(folder, warehouse=warehouse)

    assert [result.status for result in results] == ["loaded", "already_loaded"]
    assert query("select count(*) from raw.stores") == [(1,)]


def test_same_content_as_another_source_is_a_separate_load(tmp_path, warehouse, query):
    content = "store_id,store_name,product_sku,product_name\nS1,One,P1,Pen\n"
    load_path(write(tmp_path / "stores.csv", content), warehouse=warehouse)
    [other] = load_path(write(tmp_path / "products.csv", content), warehouse=warehouse)

    assert other.status == "loaded"
    assert query("select source_name from cdp_meta.load_ledger order by 1") == [("products",), ("stores",)]


# --- atomicity -----------------------------------------------------------------------------------


def test_failure_mid_load_leaves_the_warehouse_unchanged(tmp_path, warehouse, loaded_before, monkeypatch):
    # Blank lines and a rejected line: the failure comes after the insert, the renumbering and the
    # insert of the rejected record.
    file = write(tmp_path / "stores.csv", "store_id,store_name\nS1,One\n\nS2\nS3,Three\n")
    rows_in_transaction = []

    def failing_ledger(con, entry):
        rows_in_transaction.append(con.execute("select count(*) from raw.stores").fetchall()[0][0])
        raise RuntimeError("disk full")

    monkeypatch.setattr(loader, "write_ledger", failing_ledger)

    with pytest.raises(UserError, match=r"^stores\.csv: load failed and was rolled back: disk full$"):
        load_path(file, warehouse=warehouse)

    assert rows_in_transaction == [3]
    assert snapshot(warehouse) == loaded_before
    monkeypatch.undo()  # and the same file loads fine afterwards
    [result] = load_path(file, warehouse=warehouse)
    assert (result.status, result.rows_read) == ("loaded", 3)


# --- column mapping ------------------------------------------------------------------------------


def test_mapping_file_renames_columns(tmp_path, warehouse, query):
    mapping = write(
        tmp_path / "mapping.yml",
        "sources:\n"
        "  crm_customers:\n"
        "    columns:\n"
        "      CustomerID: crm_customer_id\n"
        "      e-mail address: email\n"
        "      Created: created_at\n"
        "      updated: updated_at\n"
        "  stores:\n"
        "    columns:\n"
        "      Shop: store_id\n",
    )
    file = write(
        tmp_path / "crm_customers_export.csv",
        "customerid,E-Mail Address,Created,UPDATED,Notes\nC1,a@x.com,2025-01-01,2025-01-02,vip\n",
    )
    [result] = load_path(file, warehouse=warehouse, mapping_file=mapping)

    assert result.ignored_columns == ("Notes",)
    assert query("select crm_customer_id, email, created_at, updated_at from raw.crm_customers") == [
        ("C1", "a@x.com", "2025-01-01", "2025-01-02")
    ]
    [(column_mapping, ignored)] = query("select column_mapping, ignored_columns from cdp_meta.load_ledger")
    assert json.loads(column_mapping) == {
        "customerid": "crm_customer_id",
        "E-Mail Address": "email",
        "Created": "created_at",
        "UPDATED": "updated_at",
    }
    assert json.loads(ignored) == ["Notes"]


def test_mapping_applies_to_json_keys(tmp_path, warehouse, query):
    mapping = write(tmp_path / "m.yml", "sources: {live_chats: {columns: {id: chat_id, Start: started_at}}}\n")
    file = write(tmp_path / "live_chats.jsonl", '{"id": "c1", "start": "2025-01-01"}\n')
    load_path(file, warehouse=warehouse, mapping_file=mapping)

    assert query("select chat_id, started_at from raw.live_chats") == [("c1", "2025-01-01")]


def test_mapping_onto_a_column_the_file_also_has_is_refused(tmp_path, warehouse):
    mapping = write(tmp_path / "m.yml", "sources: {stores: {columns: {shop: store_id}}}\n")
    file = write(tmp_path / "stores.csv", "shop,store_id,store_name\nS1,S1,One\n")

    with pytest.raises(UserError, match=r"^stores\.csv: columns 'shop' and 'store_id' both deliver 'store_id'"):
        load_path(file, warehouse=warehouse, mapping_file=mapping)


BAD_MAPPINGS = [
    ("sources:\n  crm_customer:\n    columns: {A: email}\n", "unknown source 'crm_customer'"),
    ("sources:\n  crm_customers:\n    columns: {A: e_mail}\n", "'e_mail' is not a column of crm_customers"),
    ("- crm_customers\n", "expected a single top-level key 'sources'"),
    ("", "expected a single top-level key 'sources'"),
    ("sources: [crm_customers]\n", "'sources' must map source names"),
    ("sources:\n  crm_customers: [A, email]\n", "sources.crm_customers must have one key 'columns'"),
    ("sources:\n  crm_customers:\n    columns: {No: email}\n", "names must be text"),
    ("sources:\n  crm_customers:\n    columns: {A: email, a: phone}\n", "'a' is mapped twice"),
    ("sources:\n  crm_customers:\n    columns:\n      A: email\n     B: phone\n", "not valid YAML at line"),
]


@pytest.mark.parametrize(("text", "message"), BAD_MAPPINGS, ids=[message for _, message in BAD_MAPPINGS])
def test_bad_mapping_file_is_refused(tmp_path, warehouse, text, message):
    mapping = write(tmp_path / "mapping.yml", text)
    file = write(tmp_path / "crm_customers.csv", "crm_customer_id,created_at,updated_at\nC1,x,y\n")

    with pytest.raises(UserError) as raised:
        load_path(file, warehouse=warehouse, mapping_file=mapping)

    assert raised.value.message.startswith(f"mapping file {mapping}: ")
    assert message in raised.value.message
    assert not warehouse.exists()


def test_missing_mapping_file_is_refused(tmp_path, warehouse):
    file = write(tmp_path / "stores.csv", "store_id,store_name\nS1,One\n")
    with pytest.raises(UserError, match="mapping file .*nope.yml not found"):
        load_path(file, warehouse=warehouse, mapping_file=tmp_path / "nope.yml")
