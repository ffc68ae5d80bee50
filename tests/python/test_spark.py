"""The same project on Spark (docs/spark.md): generated data loaded in two loads with an erasure between them, built
on Spark (dbt-spark session mode, local[2]) and on DuckDB after each, the second Spark build incremental and with
every data test (spark_run.py); every public mart must hold the same rows on both engines, except float columns
within FLOAT_TOLERANCE (declared in docs/spark.md).

One warehouse serves both engines: the loader's DuckDB file, whose raw layer Spark reads from the raw zone the loader
publishes beside it. So both see the same loads and the same salt, and so the same customer ids.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from cdp_runner.config import PROJECT_DIR
from cdp_runner.dbt import DbtOutcome, NodeResult
from cdp_runner.spark.raw_zone import MANIFEST, publish_raw_zone
from spark_run import FLOAT_TOLERANCE, PARTITIONED_TABLES
from warehouse_diff import VOLATILE_COLUMNS

pytestmark = pytest.mark.slow
BASE_WEB, BASE_CRM = PARTITIONED_TABLES


@pytest.fixture(scope="module")
def engines(spark_run: dict) -> SimpleNamespace:
    # where the time went, kept for the reader of a make test run (docs/spark.md quotes it)
    (PROJECT_DIR / ".build").mkdir(exist_ok=True)
    report = dict(spark_run["timings"])
    first, final = (spark_run["partitions"][step][BASE_WEB] for step in ("first", "final"))
    kept = [name for name in set(first) & set(final) if first[name] == final[name]]
    report["base_web__events partitions kept of"] = [len(kept), len(final)]
    (PROJECT_DIR / ".build" / "spark-run-timings.json").write_text(json.dumps(report, indent=1))
    outcomes = {
        name: DbtOutcome(**{**fields, "results": [NodeResult(**result) for result in fields["results"]]})
        for name, fields in spark_run["outcomes"].items()
    }
    return SimpleNamespace(
        warehouse=Path(spark_run["warehouse"]),
        exported=Path(spark_run["exported"]),
        outcomes=outcomes,
        marts=spark_run["marts"],
        duckdb_data_tests=spark_run["duckdb_data_tests"],
        timings=spark_run["timings"],
        web_partitions={step: tables[BASE_WEB] for step, tables in spark_run["partitions"].items()},
        crm_partitions={step: tables[BASE_CRM] for step, tables in spark_run["partitions"].items()},
        erased_email=spark_run["erased_email"],
        emptied_load=spark_run["emptied_load"],
    )


def test_both_engines_build_everything_and_spark_passes_every_data_test(engines):
    for name, outcome in engines.outcomes.items():
        assert outcome.success, (name, [result.unique_id for result in outcome.failed])
    spark, duck = (
        {r.unique_id for r in engines.outcomes[f"{engine} final"].results if r.resource_type == "model"}
        for engine in ("spark", "duckdb")
    )
    assert spark == duck, spark ^ duck
    # the final Spark build ran every data test DuckDB's project has (on DuckDB they run in the session build)
    tests = {r.unique_id for r in engines.outcomes["spark final"].results if r.resource_type == "test"}
    assert len(tests) > 400 and tests == set(engines.duckdb_data_tests), tests ^ set(engines.duckdb_data_tests)


def test_every_public_mart_holds_the_same_rows_on_both_engines(engines):
    con = duckdb.connect(str(engines.warehouse), read_only=True)
    con.execute("set TimeZone = 'UTC'")
    problems = []
    # the marts schema's public models: the audit models are public for governance, but not marts
    assert "dim_customers" in engines.marts and not [name for name in engines.marts if name.startswith("audit_")]
    try:
        assert {path.stem for path in engines.exported.glob("*.parquet")} == set(engines.marts)
        for mart in engines.marts:
            problem = _compare(con, mart, engines.exported / f"{mart}.parquet")
            if problem:
                problems.append(f"{mart}: {problem}")
    finally:
        con.close()
    assert not problems, "\n".join(problems)


def test_the_lifetime_value_fits_agree_to_the_declared_tolerance(engines):
    con = duckdb.connect(str(engines.warehouse), read_only=True)
    try:
        duck = dict(
            con.execute(
                "select model_name || '.' || parameter_name, parameter_value from marts.ltv_model_params "
                "where parameter_role = 'estimate'"
            ).fetchall()
        )
        spark = dict(
            con.execute(
                "select model_name || '.' || parameter_name, parameter_value from read_parquet(?) "
                "where parameter_role = 'estimate'",
                [str(engines.exported / "ltv_model_params.parquet")],
            ).fetchall()
        )
    finally:
        con.close()
    assert set(duck) == {f"bgnbd.{p}" for p in ("r", "alpha", "a", "b")} | {f"gamma_gamma.{p}" for p in "pqv"}
    assert duck.keys() == spark.keys()
    for name, value in duck.items():
        assert math.isclose(value, spark[name], rel_tol=FLOAT_TOLERANCE), (name, value, spark[name])


def test_a_spark_base_model_is_partitioned_by_load(engines):
    con = duckdb.connect(str(engines.warehouse), read_only=True)
    try:
        loads = {row[0] for row in con.execute("select distinct load_id from staging.base_web__events").fetchall()}
    finally:
        con.close()
    assert len(loads) > 1
    assert set(engines.web_partitions["final"]) == {f"load_id={load_id}" for load_id in loads}


def test_an_incremental_build_on_spark_gives_the_late_load_a_partition_of_its_own(engines):
    first, final = engines.web_partitions["first"], engines.web_partitions["final"]
    assert set(final) - set(first), "the late load has no partition of its own"
    # insert_overwrite rewrites only the partitions of the new loads and of those an erasure took rows from, and keeps
    # the others' files: .build/spark-run-timings.json reports how many


def test_an_erasure_between_spark_builds_drops_the_load_it_emptied_and_rewrites_the_one_it_thinned(engines):
    # the erased person's account was delivered twice: alone (a load of one row) and in the CRM file
    first, final = engines.crm_partitions["first"], engines.crm_partitions["final"]
    emptied = f"load_id={engines.emptied_load}"
    assert emptied in first and emptied not in final, (emptied, sorted(first), sorted(final))
    (thinned,) = set(first) - {emptied}
    assert final[thinned] != first[thinned], "the load the erasure took a row from was not rewritten"
    # forget found the person in the first build's marts; Spark's final marts no longer hold them
    con = duckdb.connect()
    try:
        left = con.execute(
            "select count(*) from read_parquet(?) where identifier_type = 'email' and identifier_value = ?",
            [str(engines.exported / "identity_map.parquet"), engines.erased_email],
        ).fetchall()
    finally:
        con.close()
    assert left == [(0,)]


def test_publishing_the_raw_zone_again_changes_nothing(engines):
    con = duckdb.connect(str(engines.warehouse), read_only=True)
    zone = engines.warehouse.parent / "raw_zone"
    try:
        before = {path: path.stat().st_mtime_ns for path in zone.rglob("*") if path.is_file()}
        result = publish_raw_zone(con, zone)
    finally:
        con.close()
    assert not result.changed, (result.written, result.removed)
    assert {path: path.stat().st_mtime_ns for path in zone.rglob("*") if path.is_file()} == before
    assert (zone / "raw" / "web_events" / MANIFEST).exists()
    # one file per load, and the late load of web events among them
    assert len(list((zone / "raw" / "web_events").glob("web_events-*.parquet"))) == 2


def _compare(con: duckdb.DuckDBPyConnection, mart: str, exported: Path) -> str | None:
    """None when the DuckDB mart and Spark's export hold the same rows (floats within FLOAT_TOLERANCE)."""
    duck_columns = con.execute(
        "select column_name, data_type from information_schema.columns "
        "where table_schema = 'marts' and table_name = ? order by ordinal_position",
        [mart],
    ).fetchall()
    spark_columns = [row[:2] for row in con.execute(f"describe select * from read_parquet('{exported}')").fetchall()]
    if [name.lower() for name, _ in duck_columns] != [name.lower() for name, _ in spark_columns]:
        return f"columns differ: {duck_columns} vs {spark_columns}"
    kept = [(name, kind) for name, kind in duck_columns if name not in VOLATILE_COLUMNS]
    floats = {index for index, (_, kind) in enumerate(kept) if kind in ("DOUBLE", "FLOAT")}
    select = ", ".join(f"cast({name} as timestamp)" if kind.startswith("TIMESTAMP") else name for name, kind in kept)
    duck_rows = _sorted(con.execute(f"select {select} from marts.{mart}").fetchall(), floats)
    spark_rows = _sorted(con.execute(f"select {select} from read_parquet('{exported}')").fetchall(), floats)
    if len(duck_rows) != len(spark_rows):
        return f"{len(duck_rows)} rows on DuckDB, {len(spark_rows)} on Spark"
    for duck_row, spark_row in zip(duck_rows, spark_rows, strict=True):
        for index, (duck_value, spark_value) in enumerate(zip(duck_row, spark_row, strict=True)):
            if index in floats and duck_value is not None and spark_value is not None:
                if not math.isclose(duck_value, spark_value, rel_tol=FLOAT_TOLERANCE, abs_tol=1e-12):
                    return f"{kept[index][0]}: {duck_value} vs {spark_value} in {duck_row}"
            elif duck_value != spark_value:
                return f"{kept[index][0]}: {duck_value!r} vs {spark_value!r} in {duck_row}"
    return None


def _sorted(rows: list[tuple], floats: set[int]) -> list[tuple]:
    """Rows in an order both engines' rows share: exact columns first, floats rounded (to 6 significant digits)."""

    def key(row: tuple) -> tuple:
        exact = tuple(repr(value) for index, value in enumerate(row) if index not in floats)
        rounded = tuple(
            f"{value:.6g}" if value is not None else "" for index, value in enumerate(row) if index in floats
        )
        return exact + rounded

    return sorted(rows, key=key)
