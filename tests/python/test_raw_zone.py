"""The raw zone the loader publishes for Spark (cdp_runner/spark/raw_zone.py): one Parquet file per load, written only
when its rows changed, atomically, and in step with the DuckDB state; the Spark build's two dbt invocations."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from cdp_runner.errors import UserError
from cdp_runner.ingest.loader import load_path
from cdp_runner.spark.build import builds_models, invocations, split_selection
from cdp_runner.spark.raw_zone import MANIFEST, SCHEMA_FILE, publish_raw_zone


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@pytest.fixture
def spark_target(monkeypatch):
    monkeypatch.setenv("CDP_TARGET", "spark")


def _files(zone: Path) -> dict[str, int]:
    return {str(path.relative_to(zone)): path.stat().st_mtime_ns for path in zone.rglob("*") if path.is_file()}


def test_a_load_on_the_spark_target_publishes_one_file_per_load(tmp_path, warehouse, spark_target):
    zone = tmp_path / "raw_zone"
    load_path(_write(tmp_path / "a" / "stores.csv", "store_id,store_name\nS1,One\nS2,O'Neil\n"), warehouse=warehouse)
    load_path(_write(tmp_path / "b" / "stores.csv", "store_id,store_name\nS3,Three\n"), warehouse=warehouse)
    folder = zone / "raw" / "stores"
    loads = sorted(path.name for path in folder.glob("stores-*.parquet"))
    assert len(loads) == 2
    assert (folder / SCHEMA_FILE).exists() and (zone / "cdp_meta" / "load_ledger" / "data.parquet").exists()
    # a source without loads still has its columns
    assert (zone / "raw" / "web_events" / SCHEMA_FILE).exists()
    assert not [path for path in zone.rglob("*") if path.name.startswith(".")], "no partial file left behind"
    con = duckdb.connect()
    rows = con.execute(
        f"select store_id, store_name, _row_number from read_parquet('{folder}/*.parquet') order by store_id"
    ).fetchall()
    assert rows == [("S1", "One", 1), ("S2", "O'Neil", 2), ("S3", "Three", 1)]
    loaded_at = con.execute(f"describe select _loaded_at from read_parquet('{folder}/*.parquet')").fetchall()
    assert loaded_at[0][1] == "TIMESTAMP WITH TIME ZONE"  # an instant, as Spark's timestamp is
    assert set(json.loads((folder / MANIFEST).read_text())) == {SCHEMA_FILE, *(name[:-8] for name in loads)}


def test_publishing_follows_the_warehouse_and_rewrites_only_what_changed(tmp_path, warehouse, spark_target):
    zone = tmp_path / "raw_zone"
    load_path(_write(tmp_path / "a" / "stores.csv", "store_id,store_name\nS1,One\nS2,Two\n"), warehouse=warehouse)
    load_path(_write(tmp_path / "b" / "stores.csv", "store_id,store_name\nS3,Three\n"), warehouse=warehouse)
    before = _files(zone)
    # the same file again: already loaded, and nothing published anew
    load_path(_write(tmp_path / "c" / "stores.csv", "store_id,store_name\nS3,Three\n"), warehouse=warehouse)
    assert _files(zone) == before
    con = duckdb.connect(str(warehouse))
    try:
        [(first_load,)] = con.execute("select _load_id from raw.stores where store_id = 'S1'").fetchall()
        [(second_load,)] = con.execute("select _load_id from raw.stores where store_id = 'S3'").fetchall()
        con.execute("delete from raw.stores where store_id = 'S2'")  # as an erasure does
        result = publish_raw_zone(con, zone)
        assert result.written == [f"raw/stores/{first_load}.parquet"] and not result.removed
        con.execute("delete from raw.stores where store_id = 'S3'")
        result = publish_raw_zone(con, zone)
        assert result.removed == [f"raw/stores/{second_load}.parquet"] and not result.written
        assert not publish_raw_zone(con, zone).changed
    finally:
        con.close()
    rows = duckdb.connect().execute(f"select store_id from read_parquet('{zone}/raw/stores/*.parquet')").fetchall()
    assert rows == [("S1",)]


def test_a_load_on_duckdb_publishes_nothing_unless_the_zone_exists(tmp_path, warehouse):
    load_path(_write(tmp_path / "a" / "stores.csv", "store_id,store_name\nS1,One\n"), warehouse=warehouse)
    assert not (tmp_path / "raw_zone").exists()


def test_an_unknown_target_is_a_user_error(monkeypatch):
    from cdp_runner.config import target_type

    monkeypatch.setenv("CDP_TARGET", "nope")
    with pytest.raises(UserError, match="unknown target 'nope'"):
        target_type()


@pytest.mark.parametrize("command", ["segments", "serve", "profile"])
def test_the_commands_reading_duckdb_marts_stop_on_spark_with_one_error_line(command, tmp_path):
    from click.testing import CliRunner

    from cdp_runner.cli import main

    target = os.environ.get("CDP_TARGET")
    arguments = ["--target", "spark", command, "--warehouse", str(tmp_path / "warehouse.duckdb")]
    result = CliRunner().invoke(main, [*arguments, *(["someone@example.com"] if command == "profile" else [])])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: cdp {command} reads the marts from the DuckDB file"), result.output
    # --target holds for the command only: the caller's process (here the test worker) keeps its own target
    assert os.environ.get("CDP_TARGET") == target


def test_the_spark_build_splits_around_the_python_models():
    assert split_selection(["--select", "a", "b+", "--full-refresh", "--exclude", "c"]) == (
        ["a", "b+"],
        ["c"],
        ["--full-refresh"],
    )
    before, after = invocations(["--full-refresh"])
    assert before[before.index("build") :] == [
        "build",
        "--full-refresh",
        "--exclude",
        "int_ltv_model_fit+",
        "int_customer_ltv_predictions+",
    ]
    assert after[after.index("--select") :] == [
        "--select",
        "int_ltv_model_fit+",
        "int_customer_ltv_predictions+",
        "--exclude",
        "int_ltv_model_fit",
        "int_customer_ltv_predictions",
    ]
    _, after = invocations(["-s", "marts", "--exclude", "x"])
    assert after[after.index("--select") :] == [
        "--select",
        "marts,int_ltv_model_fit+",
        "marts,int_customer_ltv_predictions+",
        "--exclude",
        "x",
        "int_ltv_model_fit",
        "int_customer_ltv_predictions",
    ]


def test_the_spark_build_runs_the_lifetime_value_step_only_when_it_builds_models():
    assert builds_models(["--full-refresh"]) and builds_models(["--select", "marts"])
    assert builds_models(["--resource-type", "model", "test"]) and builds_models(["--exclude-resource-type", "test"])
    assert not builds_models(["--resource-type", "test"])
    assert not builds_models(["--resource-type", "unit_test", "--select", "customer_rfm"])
    assert not builds_models(["--exclude-resource-type", "unit_test", "model"])


def test_cdp_build_on_spark_runs_the_spark_build_step_in_a_process_of_its_own(tmp_path, monkeypatch):
    # make test's Spark run calls the step in its own process (spark_run.py); this is the path a user's `cdp --target
    # spark build` takes: the runner's subprocess, whose merged run_results.json the runner reads. Nothing selected, so
    # no Spark session starts (no JVM): the step's dbt invocations and the runner's reading of them are what runs.
    from click.testing import CliRunner

    from cdp_runner.cli import main

    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    arguments = ["--target", "spark", "build", "--warehouse", str(tmp_path / "warehouse.duckdb")]
    result = CliRunner().invoke(main, [*arguments, "--select", "no_model_has_this_name"])
    assert result.exit_code == 0, result.output
    assert "nothing was selected" in result.output
    written = json.loads((tmp_path / "target" / "run_results.json").read_text())
    # the step's own file (dbt's carries its metadata and arguments), published by the runner from the run's folder
    assert written["results"] == [] and "metadata" not in written
    assert (tmp_path / "raw_zone").is_dir()  # the build published the raw zone first, as on every Spark build
