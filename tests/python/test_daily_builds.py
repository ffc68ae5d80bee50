"""Daily builds give what one full rebuild of the same data gives, table by table, row by row.

On a copy of the session's built warehouse (its generated history): the next day (`cdp generate --continue-from`)
with a corrected CRM account (new e-mail) and a corrected order delivered again; a person erased; the day after; then
one build. A copy of that warehouse is rebuilt with --full-refresh, and every table of every schema is compared. One
daily build is enough: a build that leaves every table as a full rebuild would is a state like the session's, so the
next day's build starts where this one did (the histories, which are left out of the comparison, aside). The builds
run the models only: data tests never write a table. Two more tests take rows out of raw (and of a staging model) by
hand, as an erasure does (the staging models' test logs it, as `cdp forget` does), and check that the staging base
models, incremental by load, and the staging models, incremental by key, follow and write nothing else again.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import duckdb
import pytest

from cdp_runner.dbt import run_dbt
from cdp_runner.generator.days import continue_world
from cdp_runner.ingest.loader import load_path
from cdp_runner.pipeline import build_warehouse, forget_person
from cdp_runner.warehouse import utc_now
from warehouse_diff import VOLATILE_COLUMNS, compare

pytestmark = pytest.mark.slow

MODELS_ONLY = ["--exclude-resource-type", "test"]
# Histories: their rows record what each build saw, so daily builds and one rebuild differ by design. The identity
# history keeps its rows through --full-refresh; the audience history starts over with it, and so do the marts read
# from it: the membership changes, and the reference date of the build that recorded each entry into a segment.
HISTORIES = {
    "intermediate.int_identity_assignment_log",
    "marts.identity_merges",
    "intermediate.int_audience_membership_history",
    "intermediate.audience_build_log",
    "marts.segment_membership_changes",
}
HISTORY_COLUMNS = VOLATILE_COLUMNS | {"member_since_date"}


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def _redeliver(history: Path, day: Path, file_name: str, key: str, change: dict[str, str]) -> str:
    """Write the first record of history/file_name again into day/, changed: a correction delivered later."""
    with (history / file_name).open(newline="") as source:
        reader = csv.DictReader(source)
        record = next(reader)
        fields = reader.fieldnames or []
    record.update(change)
    stem = file_name.removesuffix(".csv")
    with (day / f"{stem}_correction.csv").open("w", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=fields)
        writer.writeheader()
        writer.writerow(record)
    return record[key]


def test_a_daily_build_equals_a_full_rebuild(built_warehouse, tmp_path):
    # never change the session's warehouse: the worker's other test files read it. Same file name in another folder,
    # so dbt reuses its parse.
    history, daily = built_warehouse.data_dir, tmp_path / "daily" / "warehouse.duckdb"
    daily.parent.mkdir()
    shutil.copy(built_warehouse.warehouse, daily)
    day1, day2 = tmp_path / "day1", tmp_path / "day2"
    continue_world(history, 1, day1)
    continue_world(day1, 1, day2)
    account = _redeliver(
        history,
        day1,
        "crm_customers.csv",
        "crm_customer_id",
        {"email": "corrected.address@example.org", "updated_at": "2026-07-01 09:00:00"},
    )
    order = _redeliver(history, day1, "shop_orders.csv", "order_id", {"status": "refunded"})

    load_path(day1, warehouse=daily)
    # a person of two sources or more, not the owner of the corrected account or order (their erasure would take the
    # corrections with it)
    ((erased_email,),) = _rows(
        daily,
        f"""select min(map.identifier_value) from marts.identity_map as map
           where map.identifier_type = 'email'
             and map.customer_id in (select customer_id from marts.identity_record_map
                                     group by customer_id having count(distinct source_name) >= 2)
             and map.customer_id not in (
                 select customer_id from marts.identity_record_map
                 where (source_name, record_key) in (('crm_customers', '{account}'), ('shop_orders', '{order}')))""",
    )
    forget_person(erased_email, warehouse=daily, rebuild=False)
    day2_loads = {result.load_id for result in load_path(day2, warehouse=daily) if result.status == "loaded"}
    build_warehouse(warehouse=daily, dbt_args=MODELS_ONLY)

    # the daily builds took each change in: the correction, the re-delivered order, the erasure, the new days
    assert _rows(
        daily, f"select email_canonical from staging.stg_crm__customers where crm_customer_id = '{account}'"
    ) == [("corrected.address@example.org",)]
    assert _rows(daily, f"select order_status from staging.stg_shop__orders where order_id = '{order}'") == [
        ("refunded",)
    ]
    assert _rows(daily, f"select count(*) from marts.identity_map where identifier_value = '{erased_email}'") == [(0,)]
    timeline_loads = {load_id for (load_id,) in _rows(daily, "select distinct load_id from marts.customer_timeline")}
    assert day2_loads & timeline_loads

    rebuilt = tmp_path / "rebuilt" / "warehouse.duckdb"
    rebuilt.parent.mkdir()
    shutil.copy(daily, rebuilt)
    build_warehouse(warehouse=rebuilt, dbt_args=["--full-refresh", *MODELS_ONLY])

    diff = compare(daily, rebuilt, ignore_tables=HISTORIES, ignore_columns=HISTORY_COLUMNS)
    assert diff.identical, diff.report()
    assert len(diff.compared) > 150, diff.report()


def test_base_models_take_in_only_the_loads_raw_changed(built_warehouse, tmp_path):
    """Rows that leave raw (as an erasure removes them) leave the base model at the next build: a load that lost rows
    is rewritten, one that lost all of them removed; a load that did not change is not read again."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        big, small = (
            load_id
            for (load_id,) in con.execute(
                "select _load_id from raw.web_events group by _load_id order by count(*) desc"
            ).fetchall()
        )
        con.execute("delete from raw.web_events where _load_id = ? and _row_number % 2 = 0", [big])
        con.execute("delete from raw.web_events where _load_id = ?", [small])
        # a mark in the base row of a load raw still holds unchanged: a build that read the load again would undo it
        con.execute("update staging.base_app__events set app_version = 'not read again' where source_row_number = 1")
    finally:
        con.close()

    outcome = run_dbt(["run", "--select", "base_web__events", "base_app__events"], warehouse=warehouse)

    assert outcome.success, [result.message for result in outcome.failed]
    assert _rows(
        warehouse,
        """select count(*) from (
               (select load_id, source_row_number from staging.base_web__events
                except select _load_id, _row_number from raw.web_events)
               union all
               (select _load_id, _row_number from raw.web_events
                except select load_id, source_row_number from staging.base_web__events)
           )""",
    ) == [(0,)]
    assert _rows(warehouse, f"select count(*) from staging.base_web__events where load_id = '{small}'") == [(0,)]
    assert _rows(warehouse, "select count(*) from staging.base_app__events where app_version = 'not read again'") == [
        (1,)
    ]


def test_staging_models_rank_again_only_the_records_that_changed(built_warehouse, tmp_path):
    """A staging model ranks again only what a build must. After an erasure (rows deleted as `cdp forget` deletes
    them, and its entry in the erasure log): a record whose row was deleted while its deliveries remain is staged
    again, one whose staged delivery left raw falls back to its other delivery, and one left without any delivery is
    removed; no other record's row is written again. Without an erasure logged since the newest load the table holds,
    a build reads only newer loads and does not compare the table with its base model, so it does not see those
    deletions."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        restored, fallen_back = (
            event_id
            for (event_id,) in con.execute(
                """select event_id from staging.base_web__events where rejection_reason is null
                   group by event_id having count(*) = 2 order by event_id limit 2"""
            ).fetchall()
        )
        ((removed,),) = con.execute(
            """select event_id from staging.base_web__events where rejection_reason is null
               group by event_id having count(*) = 1 order by event_id limit 1"""
        ).fetchall()
        restored_row = con.execute("select * from staging.stg_web__events where event_id = ?", [restored]).fetchall()
        ((fallback,),) = con.execute(
            """select struct_pack(load_id, source_row_number) from staging.base_web__events
               where event_id = ? and rejection_reason is null
                 and (load_id, source_row_number) not in (
                     select (load_id, source_row_number) from staging.stg_web__events where event_id = ?)""",
            [fallen_back, fallen_back],
        ).fetchall()
        con.execute("delete from staging.stg_web__events where event_id = ?", [restored])
        con.execute(
            """delete from raw.web_events where (_load_id, _row_number) in (
                   select (load_id, source_row_number) from staging.stg_web__events where event_id in (?, ?))""",
            [fallen_back, removed],
        )
        # a mark in a row no change reaches: a build that ranked its record again would undo it
        con.execute(
            """update staging.stg_web__events set user_agent = 'not ranked again'
               where event_id = (select min(event_id) from staging.stg_web__events where event_id not in (?, ?, ?))""",
            [restored, fallen_back, removed],
        )
    finally:
        con.close()

    outcome = run_dbt(["run", "--select", "base_web__events", "stg_web__events"], warehouse=warehouse)

    assert outcome.success, [result.message for result in outcome.failed]
    assert _rows(warehouse, f"select count(*) from staging.stg_web__events where event_id = '{restored}'") == [(0,)]
    assert _rows(warehouse, f"select count(*) from staging.stg_web__events where event_id = '{removed}'") == [(1,)]

    con = duckdb.connect(str(warehouse))
    try:
        con.execute(
            """insert into cdp_meta.erasure_log values
               ('by-hand', ?, 'email', '[]', 0, 0, '{}', 0)""",
            [utc_now()],
        )
    finally:
        con.close()
    outcome = run_dbt(["run", "--select", "base_web__events", "stg_web__events"], warehouse=warehouse)

    assert outcome.success, [result.message for result in outcome.failed]
    assert _rows(warehouse, f"select * from staging.stg_web__events where event_id = '{restored}'") == restored_row
    assert _rows(
        warehouse,
        f"""select struct_pack(load_id, source_row_number) from staging.stg_web__events
            where event_id = '{fallen_back}'""",
    ) == [(fallback,)]
    assert _rows(warehouse, f"select count(*) from staging.stg_web__events where event_id = '{removed}'") == [(0,)]
    assert _rows(warehouse, "select count(*) from staging.stg_web__events where user_agent = 'not ranked again'") == [
        (1,)
    ]
