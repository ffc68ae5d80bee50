"""Incremental identity builds (docs/identity.md, "Incremental builds"): about 1% new records, taken in as a delta,
give exactly the tables a full rebuild of all the data gives; a re-delivered record makes the next build full.

Generated data is split by record key (bench/holdback.py): about 1% of the records of every person source (all
deliveries of a key together, so no record is delivered by both parts) arrive in a second load.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from bench.holdback import hold_back
from cdp_runner.generator.generate import generate
from cdp_runner.ingest.loader import load_path
from test_identity import _build, _copy_project, _dbt

pytestmark = pytest.mark.slow

CUSTOMERS = 400
SEED = 5
# the build's plan, its memory and what it touched differ by construction between a delta and a full build
NOT_COMPARED = {
    "int_identity_batch",
    "int_identity_builds",
    "int_identity_touched",
    "int_identity_graph_components",
    "int_identity_affected",
    "int_identity_delta_scope",
}
# an internal key of one build (int_identity_signatures.signature_id): compared through the signature's markers
BUILD_KEYS = {"signature_id"}


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def _identity_relations(warehouse: Path) -> list[tuple[str, str, list[str]]]:
    """Every table and view of the identity stage: (schema, name, compared columns)."""
    relations = _rows(
        warehouse,
        """select table_schema, table_name, list(column_name order by ordinal_position)
           from information_schema.columns
           where table_schema in ('intermediate', 'marts', 'audit') and table_name like '%identity%'
           group by all order by all""",
    )
    return [
        (schema, name, [c for c in columns if c not in BUILD_KEYS])
        for schema, name, columns in relations
        if name not in NOT_COMPARED
    ]


@pytest.fixture(scope="module")
def delta_and_full(tmp_path_factory):
    """A warehouse built from the early part, then from the late part as a delta; and a copy rebuilt in full."""
    root = tmp_path_factory.mktemp("identity_incremental")
    _copy_project(root)
    data, early, late = root / "data", root / "early", root / "late"
    generate(CUSTOMERS, SEED, data)
    moved = hold_back(data, early, late, share=100)
    warehouse = root / "warehouse.duckdb"
    load_path(early, warehouse=warehouse)
    _build(root)
    first = _rows(warehouse, "select distinct build_mode from intermediate.int_identity_batch")
    load_path(late, warehouse=warehouse)
    _build(root)
    delta = root / "delta.duckdb"
    shutil.copy(warehouse, delta)
    _build(root, "--full-refresh")
    return root, delta, warehouse, moved, first


def test_the_late_records_are_taken_in_as_a_delta(delta_and_full):
    root, delta, full, moved, first = delta_and_full
    assert first == [("full",)]
    assert moved > 50
    plan = _rows(
        delta,
        """select build_mode, full_reason, count(*) filter (where is_pending)
                           from intermediate.int_identity_batch group by all""",
    )
    assert len(plan) == 1 and plan[0][:2] == ("delta", None) and plan[0][2] >= 5, plan
    # the resolution ran on part of the graph (the touched identifiers' components), and the models after it on
    # those and the profiles whose statistical links changed (and the forced merges, none here): not all of it
    affected, scope = (
        _rows(delta, f"select count(*) from intermediate.{name}")[0][0]
        for name in ("int_identity_affected", "int_identity_delta_scope")
    )
    nodes = _rows(delta, "select count(*) from intermediate.int_identity_resolution")[0][0]
    assert 0 < affected <= scope < nodes / 2, (affected, scope, nodes)
    late_signatures = _rows(
        delta,
        """select count(*) from intermediate.int_identity_signatures
           where first_load_id in (select load_id from intermediate.int_identity_batch where is_pending)""",
    )[0][0]
    assert late_signatures > 20
    assert _rows(full, "select max_by(build_mode, built_at) from intermediate.int_identity_builds") == [("full",)]


def test_a_delta_gives_exactly_what_a_full_rebuild_gives(delta_and_full):
    root, delta, full, moved, first = delta_and_full
    relations = _identity_relations(full)
    assert {name for _, name, _ in relations} >= {
        "int_identity_signatures",
        "int_identity_identifiers",
        "int_identity_links",
        "identity_record_map",
        "identity_map",
        "identity_merges",
        "int_identity_resolution",
        "audit_identity_cuts",
    }
    with duckdb.connect(str(full), read_only=True) as con:
        con.execute(f"attach '{delta}' as delta (read_only)")
        for schema, name, columns in relations:
            listed = ", ".join(f'"{column}"' for column in columns)
            full_rows = f"select {listed} from {schema}.{name}"
            delta_rows = f"select {listed} from delta.{schema}.{name}"
            only_full = con.execute(f"select count(*) from ({full_rows} except all {delta_rows})").fetchall()[0][0]
            only_delta = con.execute(f"select count(*) from ({delta_rows} except all {full_rows})").fetchall()[0][0]
            total = con.execute(f"select count(*) from ({full_rows})").fetchall()[0][0]
            assert (only_full, only_delta) == (0, 0), (name, only_full, only_delta, total)


def test_a_redelivered_record_makes_the_next_build_full(delta_and_full, tmp_path):
    root, delta, full, moved, first = delta_and_full
    # a web event already taken in, delivered again in a new file (other bytes: keys in another order)
    staged = {key for (key,) in _rows(full, "select record_key from staging.stg_web__events")}
    for line in (root / "early" / "web_events.jsonl").read_text().splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event_id") in staged:
            break
    redelivery = tmp_path / "web_events_correction.jsonl"
    redelivery.write_text(json.dumps(event, sort_keys=True) + "\n")
    load_path(redelivery, warehouse=full)
    ok, output = _dbt(root, "run", "-s", "+int_identity_batch")
    assert ok, output
    assert _rows(full, "select distinct build_mode, full_reason from intermediate.int_identity_batch") == [
        ("full", "pending loads deliver records again that earlier loads delivered")
    ]
