"""The Spark end-to-end run test_spark.py checks: generated data loaded into one warehouse in two loads (the late
web events second) and built on Spark twice: after the first load, the models the incremental ones stand on; after
the late load, an incremental build of everything with every data test, so the incremental paths (staging base models
by partition, histories appended) run on Spark. DuckDB builds the same beside it, and Spark's
public marts are exported as Parquet for the comparison. Runs in the background under xdist (session_build.py DIR
spark).

One warehouse serves both engines: the loader's DuckDB file, whose raw layer Spark reads from the raw zone the loader
publishes beside it. So both see the same loads and the same salt, and so the same customer ids.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

from cdp_runner.lookup.customers import PROFILE_MARTS

SPARK_CUSTOMERS = 300
SPARK_SEED = 16
# Relative tolerance of double columns between the engines (docs/spark.md): the lifetime-value fits run the same
# code on the same input, so they agree far closer; decimals, integers, text, dates and times must be equal.
FLOAT_TOLERANCE = 1e-6
# Delivered in the second load: the late web events.
LATE_FILES = ("web_events_late.jsonl",)
# One CRM account is delivered once more in a file of its own, and its person is erased before the final build.
ACCOUNT_APART = "crm_customers_one_account.csv"
# Spark tables partitioned by load whose partition files the run records after each build: the base model of the late
# load, and the one the erasure empties a load of.
PARTITIONED_TABLES = ("staging.db/base_web__events", "staging.db/base_crm__customers")
# Spark's fixed cost per query (docs/spark.md) makes each of the ~600 data tests 0.3-1 s there, so they run once, on
# the final build; on DuckDB they run in the session build (session_build.py), and the DuckDB builds here build models
# only. The unit tests (SQL logic on fixed rows, 3-5 s each on Spark; a build leaves them out unless asked) run in the
# session build on DuckDB and in `cdp --target spark build --unit-tests` by hand.
MODELS_ONLY = ["--exclude-resource-type", "test"]
# The first build gives the incremental models (and the identity stage's) a state to build on, and `cdp forget` the
# marts it looks people up in (the timeline among them): models only, those they stand on; the 19 none of them reads
# (audits, recommendations, profile, lineage) the final build builds anyway.
FIRST_BUILD = [
    "--select",
    "+config.materialized:incremental",
    "+config.materialized:identity_resolution",
    *(f"+{mart}" for mart in PROFILE_MARTS),
    *MODELS_ONLY,
]


@contextmanager
def _target(name: str, folder: Path) -> Iterator[None]:
    """CDP_TARGET and dbt's target folder for the code in the block (each engine keeps its own parse)."""
    saved = {key: os.environ.get(key) for key in ("CDP_TARGET", "DBT_TARGET_PATH", "DBT_LOG_PATH")}
    os.environ.update(
        {"CDP_TARGET": name, "DBT_TARGET_PATH": str(folder / "target"), "DBT_LOG_PATH": str(folder / "logs")}
    )
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run(root: Path) -> dict:
    """Everything above, into root; what test_spark.py reads (JSON-able)."""
    from click.testing import CliRunner

    from cdp_runner.activation.marts_export import public_marts
    from cdp_runner.cli import main
    from cdp_runner.generator.generate import generate
    from cdp_runner.ingest.loader import load_path
    from cdp_runner.pipeline import forget_person

    data, first, late = root / "data", root / "first", root / "late"
    generate(SPARK_CUSTOMERS, SPARK_SEED, data)
    for folder in (first, late):
        folder.mkdir()
    for file in data.iterdir():
        if file.is_file():
            shutil.copy(file, (late if file.name in LATE_FILES else first) / file.name)
    erased_email = _deliver_one_account_apart(first)
    emptied_load = ""
    warehouse = root / "warehouse.duckdb"
    timings: dict[str, float] = {}
    outcomes = {}
    partitions: dict[str, dict[str, dict[str, list[str]]]] = {"first": {}, "final": {}}
    # The DuckDB build runs in a process of its own beside the Spark build, on the loader's file; Spark's build opens
    # only a copy of it (for the raw zone's state and the build report), so neither waits for the other's lock.
    spark_warehouse = root / "spark-build.duckdb"
    # (name, folder loaded before the build, dbt arguments): both engines build the same twice, since the history
    # marts (identity_merges, segment_membership_changes) record what changed from one build to the next; the final
    # Spark build runs every data test
    for step, folder, dbt_args in (("first", first, FIRST_BUILD), ("final", late, [])):
        with _target("spark", root / "spark-dbt"):
            started = time.perf_counter()
            if step == "final":
                # the person of the account delivered apart: their own load is left without rows, the CRM load
                # loses one (DuckDB's first build gave forget the marts it looks the person up in)
                forget_person(erased_email, warehouse=warehouse, rebuild=False)
            loaded = load_path(folder, warehouse=warehouse)
            emptied_load = next((r.load_id for r in loaded if r.file_name == ACCOUNT_APART), emptied_load)
            timings[f"{step} erasure, load and publish"] = time.perf_counter() - started
        shutil.copy(warehouse, spark_warehouse)
        duckdb_outcome = root / f"duckdb-{step}.json"
        # models only: the session build runs every data test on DuckDB (session_build.py); here DuckDB's marts are
        # what Spark's are compared with, and its manifest lists the data tests Spark must have run
        duckdb_args = FIRST_BUILD if step == "first" else MODELS_ONLY
        duckdb_build = _start_duckdb_build(warehouse, root / "duckdb-dbt", duckdb_args, duckdb_outcome)
        with _target("spark", root / "spark-dbt"):
            started = time.perf_counter()
            outcomes[f"spark {step}"] = _spark_build(spark_warehouse, dbt_args)
            timings[f"spark {step} build"] = time.perf_counter() - started
            for table in PARTITIONED_TABLES:
                partitions[step][table] = _partition_files(root / "spark" / "tables" / table)
        started = time.perf_counter()
        if duckdb_build.wait() != 0:
            raise RuntimeError(f"the DuckDB build failed: {(root / 'duckdb-dbt' / 'build.log').read_text()[-2000:]}")
        timings[f"duckdb {step} build, waited for after Spark's"] = time.perf_counter() - started
        outcomes[f"duckdb {step}"], timings[f"duckdb {step} build"] = json.loads(duckdb_outcome.read_text())
    exported = root / "spark-marts"
    started = time.perf_counter()
    with _target("spark", root / "spark-dbt"):
        # the command as a user runs it, in this process: its Spark session is the builds' (getOrCreate)
        exporting = CliRunner().invoke(main, ["export-marts", str(exported), "--warehouse", str(spark_warehouse)])
    if exporting.exit_code != 0:
        raise RuntimeError(f"cdp --target spark export-marts failed: {exporting.output[-2000:]}")
    timings["spark export-marts"] = time.perf_counter() - started
    with _target("duckdb", root / "duckdb-dbt"):
        marts = public_marts(warehouse=warehouse)
    manifest = json.loads((root / "duckdb-dbt" / "target" / "manifest.json").read_text())
    data_tests = sorted(key for key, node in manifest["nodes"].items() if node["resource_type"] == "test")
    print("spark run timings (s):", {step: round(seconds, 1) for step, seconds in timings.items()}, flush=True)
    return {
        "warehouse": str(warehouse),
        "exported": str(exported),
        "outcomes": outcomes,
        "timings": timings,
        "marts": marts,
        "duckdb_data_tests": data_tests,
        "partitions": partitions,
        "erased_email": erased_email,
        "emptied_load": emptied_load,
    }


def _spark_build(warehouse: Path, dbt_args: list[str]) -> dict:
    """`cdp --target spark build` of `warehouse` (models and data tests, as cdp_runner.pipeline.build_warehouse runs
    it) with its Spark step (cdp_runner.spark.build) in this process rather than the runner's subprocess, so that the
    run's two builds and its export share one JVM: each new JVM starts (20-45 s) and compiles Spark's code paths again
    (the JIT: about a third of a build's JVM CPU). Production runs every build in a JVM of its own; one session
    building twice needs the raw zone's file lists refreshed (macros/spark/cdp_register_raw_zone.sql), as a
    long-lived cluster session does. The outcome as asdict(DbtOutcome)."""
    from cdp_runner.config import dbt_environment
    from cdp_runner.dbt import DbtOutcome, read_run_results, target_dir
    from cdp_runner.pipeline import WITHOUT_UNIT_TESTS
    from cdp_runner.spark import build as spark_build
    from cdp_runner.spark.publish import publish_for_target
    from cdp_runner.warehouse import connect

    arguments = [*dbt_args, *WITHOUT_UNIT_TESTS]
    with connect(warehouse) as con:
        publish_for_target(con, warehouse)
    # the environment and working folder the runner gives its dbt subprocess (cdp_runner.dbt.run_dbt)
    environment = dbt_environment(Path(warehouse.name), warehouse.parent)
    saved, folder = dict(os.environ), Path.cwd()
    os.environ.update(environment)
    os.chdir(warehouse.parent)
    try:
        code = spark_build.main(arguments)
    finally:
        os.chdir(folder)
        os.environ.clear()
        os.environ.update(saved)
    results, seconds = read_run_results(target_dir() / "run_results.json")
    return asdict(DbtOutcome(command=["build", *arguments], success=code == 0, results=results, seconds=seconds))


def _deliver_one_account_apart(folder: Path) -> str:
    """Copies the first account of folder/crm_customers.csv with a plain e-mail (one its identity form leaves as it is)
    into a file of its own (a load of one row); its e-mail."""
    with (folder / "crm_customers.csv").open(newline="") as source:
        reader = csv.DictReader(source)
        account = next(row for row in reader if re.fullmatch(r"[a-z0-9]+@[a-z]+\.[a-z]+", row["email"]))
    with (folder / ACCOUNT_APART).open("w", newline="") as target:
        writer = csv.DictWriter(target, fieldnames=list(account))
        writer.writeheader()
        writer.writerow(account)
    return account["email"]


def _partition_files(table: Path) -> dict[str, list[str]]:
    """The data files of each partition of a Spark table (Spark names every file it writes afresh)."""
    return {
        partition.name: sorted(file.name for file in partition.glob("*.parquet"))
        for partition in sorted(table.glob("*=*"))
    }


def _start_duckdb_build(warehouse: Path, folder: Path, dbt_args: list[str], outcome: Path) -> subprocess.Popen:
    """`python spark_run.py duckdb-build ...` (below) in the background; its output goes to folder/build.log."""
    folder.mkdir(exist_ok=True)
    with (folder / "build.log").open("w") as log:
        return subprocess.Popen(
            [sys.executable, __file__, "duckdb-build", str(warehouse), str(folder), str(outcome), *dbt_args],
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _duckdb_build(warehouse: Path, folder: Path, outcome: Path, dbt_args: list[str]) -> None:
    """Build on DuckDB and write [the outcome, its seconds] as JSON to `outcome`."""
    from cdp_runner.pipeline import build_warehouse

    with _target("duckdb", folder):
        started = time.perf_counter()
        result = build_warehouse(warehouse=warehouse, dbt_args=dbt_args)
        outcome.write_text(json.dumps([asdict(result), time.perf_counter() - started]))


if __name__ == "__main__":
    if sys.argv[1] == "duckdb-build":
        _duckdb_build(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), sys.argv[5:])
    else:
        print(run(Path(sys.argv[1]))["timings"])
