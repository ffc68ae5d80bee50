"""Tests of the days written after a generated history (`cdp generate --continue-from`)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from cdp_runner.cli import main
from cdp_runner.generator import generate as gen
from cdp_runner.generator.days import DAILY_SOURCES, continue_world
from cdp_runner.ingest.contracts import SOURCES, SOURCES_BY_NAME
from cdp_runner.ingest.loader import load_path
from test_cli_errors import assert_one_error_line, invoke
from test_generate import csv_records, digests, file_keys, jsonl_records, truth

END = date(2026, 6, 30)
CUSTOMERS, SEED = 2000, 3
RARE = {"live_chats.jsonl", "qr_scans.jsonl", "support_tickets.csv"}  # maybe none in three days of 2,000 customers


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """The history, then 3 days after it, then 1 more day: (folder, summary) of each."""
    root = tmp_path_factory.mktemp("days")
    history = gen.generate(CUSTOMERS, SEED, root / "day0", END)
    first = continue_world(root / "day0", 3, root / "day1")
    second = continue_world(root / "day1", 1, root / "day2")
    return [(root / "day0", history), (root / "day1", first), (root / "day2", second)]


def instants(folder: Path, source) -> list[datetime]:
    """Every well-formed timestamp of a source's file (malformed values and damaged lines left out)."""
    names = [c.name for c in source.columns if c.type == "timestamp"]
    path = folder / gen.file_name(source)
    if not path.exists():
        return []
    if source.default_format == "parquet":
        rows = pq.read_table(path, columns=names).to_pylist()
    elif source.default_format == "jsonl":
        rows, _ = jsonl_records(path)
    else:
        header, lines = csv_records(path)
        rows = [dict(zip(header, line, strict=True)) for line in lines if len(line) == len(header)]
    out = []
    for row in rows:
        for name in names:
            value = row[name]
            if isinstance(value, str) and value and value not in gen.BAD_DATES:
                value = datetime.fromisoformat(value)
                out.append(value if value.tzinfo else value.replace(tzinfo=timezone.utc))
            elif isinstance(value, datetime) and value.year > 1970:  # 1970: a device clock never set
                out.append(value)
    return out


def test_the_days_hold_only_their_own_records(chain):
    for (_, before), (folder, summary) in zip(chain, chain[1:], strict=False):
        first = datetime.fromisoformat(before["end_date"]).replace(tzinfo=timezone.utc) + timedelta(days=1)
        end = datetime.fromisoformat(summary["end_date"]).replace(tzinfo=timezone.utc) + timedelta(days=1)
        assert summary["first_day"] == first.date().isoformat()
        seen = 0
        for source in DAILY_SOURCES:
            stamps = instants(folder, source)
            assert all(first <= at < end for at in stamps), (source.name, min(stamps), max(stamps))
            seen += len(stamps)
        assert seen > 50
    for folder, summary in chain[1:]:  # the files of the sources with records in those days, and only those
        assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(summary["files"])
    assert set(chain[1][1]["files"]) >= {gen.file_name(s) for s in DAILY_SOURCES} - RARE


def test_keys_never_collide_with_earlier_days(chain):
    for source in SOURCES:
        keys = [{k.strip() for k in file_keys(folder, source)} - {""} for folder, _ in chain]
        for a in range(3):
            for b in range(a + 1, 3):
                assert not keys[a] & keys[b], (source.name, a, b, sorted(keys[a] & keys[b])[:3])
        if source in DAILY_SOURCES and gen.file_name(source) not in RARE:
            assert keys[1], source.name


def test_days_are_deterministic(chain, tmp_path):
    continue_world(chain[0][0], 3, tmp_path)
    assert digests(tmp_path) == digests(chain[1][0])


def test_a_day_is_about_a_day_of_the_history(chain):
    """Volumes per day match the last month of the history (a growing business: more than its average day)."""
    (history, _), (_, summary) = chain[0], chain[1]
    end = datetime(2026, 7, 1, tzinfo=timezone.utc)
    for name in ("web_events", "shop_orders", "email_events", "pos_transactions"):
        source = SOURCES_BY_NAME[name]
        last_month = sum(end - timedelta(days=30) <= at < end for at in instants(history, source)) / 30
        per_day = summary["files"][gen.file_name(source)] / 3
        assert 0.4 < per_day / last_month < 2.5, (name, per_day, last_month)


def test_the_truth_covers_every_day_so_far(chain):
    (day0, _), (day1, summary) = chain[0], chain[1]
    before, after = truth(day0), truth(day1)
    assert after[: len(before)] == before
    by_source: dict[str, set] = {}
    for row in after:
        by_source.setdefault(row["source_name"], set()).add(row["record_key"])
    for source in SOURCES:
        if source.has_person:
            keys = {k.strip() for folder in (day0, day1) for k in file_keys(folder, source)} - {""}
            assert keys == by_source[source.name], source.name
    persons0 = pq.read_table(day0 / "_truth" / "persons.parquet").to_pylist()
    persons1 = pq.read_table(day1 / "_truth" / "persons.parquet").to_pylist()
    assert [p["person_id"] for p in persons1[: len(persons0)]] == [p["person_id"] for p in persons0]
    new = persons1[len(persons0) :]
    assert len(new) == summary["new_people"] > 0
    assert [p["person_id"] for p in new] == [f"P{i:08d}" for i in range(CUSTOMERS + 1, CUSTOMERS + 1 + len(new))]
    assert all(p["acquired_at"].date() >= date(2026, 7, 1) for p in new)
    new_ids = {p["person_id"] for p in new}
    assert {r["person_id"] for r in after[len(before) :]} & new_ids  # the new people did something
    params = json.loads((day1 / "_truth" / "generator_params.json").read_text())
    assert params["end_date"] == "2026-07-03" and params["continuation"]["first_end_date"] == END.isoformat()
    assert params["continuation"]["runs"] == [{"first_day": "2026-07-01", "days": 3, "new_people": len(new)}]


def test_people_carry_on(chain):
    """Purchases add up to the days' orders and receipts; sign-ups give new accounts to people of the history."""
    (day0, _), (day1, _) = chain[0], chain[1]
    persons0 = {p["person_id"]: p for p in pq.read_table(day0 / "_truth" / "persons.parquet").to_pylist()}
    persons1 = {p["person_id"]: p for p in pq.read_table(day1 / "_truth" / "persons.parquet").to_pylist()}
    added = sum(
        p["purchases"] - (persons0[i]["purchases"] if i in persons0 else 0)
        for i, p in persons1.items()
        if p["purchases"] is not None
    )
    owner = {(r["source_name"], r["record_key"]): r["person_id"] for r in truth(day1)}
    recorded = 0
    for name, kept in (
        ("shop_orders", ("status", "cancelled", False)),
        ("pos_transactions", ("transaction_type", "sale", True)),
    ):
        header, rows = csv_records(day1 / gen.file_name(SOURCES_BY_NAME[name]))
        column, value, equal = kept
        keys = {
            row[0]
            for row in rows
            if row[0] and len(row) == len(header) and (row[header.index(column)] == value) == equal
        }
        recorded += len(keys)
        assert all(owner[(name, key)] in persons1 for key in keys)
    assert added - 2 <= recorded <= added, (recorded, added)
    churned = [i for i, p in persons1.items() if i in persons0 and p["churned_at"] != persons0[i]["churned_at"]]
    assert all(
        persons0[i]["churned_at"] is None and persons1[i]["churned_at"].date() >= date(2026, 7, 1) for i in churned
    )
    header, rows = csv_records(day1 / "crm_customers.csv")
    for row in rows:
        person = owner.get(("crm_customers", row[0]))
        if person in persons0:  # an account of someone of the history who had none
            assert row[0] in persons1[person]["crm_customer_ids"] and not persons0[person]["crm_customer_ids"]


def test_days_load_after_the_history(chain, tmp_path):
    warehouse = tmp_path / "w.duckdb"
    for folder, _ in chain:
        load_path(folder, warehouse=warehouse)
    con = duckdb.connect(str(warehouse), read_only=True)
    loads = Counter(source for (source,) in con.execute("select source_name from cdp_meta.load_ledger").fetchall())
    for source in DAILY_SOURCES:
        files = [folder / gen.file_name(source) for folder, _ in chain]
        rows = sum(summary["files"].get(gen.file_name(source), 0) for _, summary in chain)
        late = sum(summary["files"][gen.LATE_WEB_EVENTS] for _, summary in chain) if source.name == "web_events" else 0
        assert con.execute(f"select count(*) from raw.{source.name}").fetchall()[0][0] == rows + late, source.name
        expected = sum(1 for f in files if f.exists()) + (3 if source.name == "web_events" else 0)
        assert loads[source.name] == expected, source.name
    orders = con.execute(
        "select order_id, count(distinct _load_id) from raw.shop_orders where order_id is not null group by all"
    ).fetchall()
    assert orders and all(count == 1 for _, count in orders)  # no order is delivered again by a later day


def test_the_command_line_continues_and_refuses_bad_folders(chain, tmp_path):
    day0 = chain[0][0]
    result = CliRunner().invoke(
        main,
        ["generate", "--continue-from", str(day0), "--days", "3", "--seed", str(SEED), "--out", str(tmp_path / "d")],
    )
    assert result.exit_code == 0, result.output
    assert digests(tmp_path / "d") == digests(chain[1][0])
    assert "(2026-07-01 to 2026-07-03, " in result.output
    result = invoke("generate", "--customers", "5", "--out", str(tmp_path / "plain"))
    assert result.exit_code == 0 and "Generated into" in result.output, result.output
    (tmp_path / "not").mkdir()
    (tmp_path / "not" / "stores.csv").write_text("store_id\nS1\n")
    out = str(tmp_path / "out")
    for args, fragment in (
        (["--continue-from", str(tmp_path / "missing")], "no such folder"),
        (["--continue-from", str(tmp_path / "not")], "not a folder 'cdp generate' wrote"),
        (["--continue-from", str(day0), "--days", "0"], "--days must be at least 1"),
        (["--days", "2"], "--days goes with --continue-from"),
        (["--continue-from", str(day0), "--seed", "4"], "--seed 4 does not match"),
        (["--continue-from", str(day0), "--end-date", "2026-07-01"], "--end-date comes from the folder"),
        (["--continue-from", str(day0), "--out", str(day0)], "another folder"),
    ):
        assert_one_error_line(invoke("generate", "--out", out, *args), fragment)
