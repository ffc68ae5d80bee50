"""`make bench`: the platform's performance figures at scale, measured in one run.

    python -m bench --customers 1000000

Stages (each timed; data and warehouse are kept under --workdir and reused when they already match, so a
second run measures the later stages only; --skip leaves out the optional ones):
1. generate the sample data (the history);
2. load it, and a plain DuckDB read of the same files into tables beside it (bench/load_speed.py);
3. dbt build of staging and the audit models;
4. the identity stage, built in full (dbt run of the identity seeds and models: identifiers, links, guards,
   profiles, maps);
5. the clustering materialization against scipy.sparse.csgraph.connected_components on the identity links of
   that warehouse (bench/components.py --edges-from), in the same run (--skip clustering);
6. the marts (dbt run of the single customer view, value, recommendation and audience models);
7. the lifetime-value fits on simulated purchase summaries of the same scale (bench/ltv_fits.py; --skip ltv);
8. a bounded load test of `cdp serve`'s look-up on that warehouse: 20 clients at once against localhost, p50, p95,
   p99 (bench/serve_load.py; target p99 <= 50 ms at 100,000 customers; --skip serve);
9. when the marts were built, one day after the history (`cdp generate --continue-from`), loaded into a copy of
   that warehouse (--skip day; docs/identity.md, "Builds"): the whole `cdp build` (dbt build, every model and
   data test) taking in the day, then the whole build with --full-refresh on the same data. The copy is deleted;
10. statistical matching of person records, cdp against Splink on the same records (bench/statistical.py);
11. `cdp demo --customers 100000` as a new user runs it (generate, load, build with every data test, exports, docs,
    report) in a folder of its own, deleted after (--demo-customers; 0 leaves it out; target 2 minutes).

Figures go to the console and to <workdir>/bench-<customers>.json. The machine's load average is printed with
them: on two cores another busy process doubles DuckDB's times, so compare ratios from the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import ltv_fits, serve_load
from bench.load_speed import generated, side_by_side
from cdp_runner.config import PROJECT_DIR
from cdp_runner.dbt import DbtOutcome, run_dbt
from cdp_runner.generator.days import continue_world
from cdp_runner.generator.generate import generate
from cdp_runner.ingest.loader import load_path
from cdp_runner.pipeline import WITHOUT_UNIT_TESTS
from cdp_runner.warehouse import connect

# cautious: only the tests of staging and audit models, not the tests that also read marts (not built yet); the
# identity stage's audits (audit_identity_*) read its models, so they are built with that stage
STAGING_SELECTION = ["staging", "audit", "--exclude", "audit_identity_*", "--indirect-selection", "cautious"]
IDENTITY_MODELS = ["path:models/intermediate/identity", "path:models/marts/identity", "audit_identity_*"]
# models (the segment membership history among them), without the data tests
MART_SELECTION = [
    "path:models/intermediate",
    "path:models/marts",
    "--exclude",
    *IDENTITY_MODELS,
    "--resource-type",
    "model",
]
OPTIONAL_STAGES = ("clustering", "ltv", "serve", "day")


def _stage(name: str, figures: dict, function, *args, **kwargs):
    print(f"--- {name} (load average {os.getloadavg()[0]:.1f})", flush=True)
    started = time.perf_counter()
    result = function(*args, **kwargs)
    seconds = time.perf_counter() - started
    figures[name] = {"seconds": round(seconds, 2), "load_average": round(os.getloadavg()[0], 2)}
    print(f"    {name}: {seconds:.1f} s", flush=True)
    return result


def _run(arguments: list[str], warehouse: Path, threads: int | None = None) -> DbtOutcome:
    outcome = run_dbt([*arguments, *(["--threads", str(threads)] if threads else [])], warehouse=warehouse)
    if not outcome.success:
        failed = ", ".join(result.unique_id for result in outcome.failed[:5])
        raise SystemExit(f"bench: dbt {arguments[0]} failed: {failed or outcome.errors[-1:]}")
    return outcome


def _model_seconds(outcome: DbtOutcome) -> dict[str, float]:
    return {
        result.unique_id.split(".")[-1]: result.seconds for result in outcome.results if result.resource_type == "model"
    }


def _build(
    selection: list[str], warehouse: Path, command: str = "build", threads: int | None = None
) -> dict[str, float]:
    return _model_seconds(_run([command, "--select", *selection], warehouse, threads))


def _print_models(seconds_by_model: dict[str, float], top: int | None = None) -> None:
    print(f"    models: {sum(seconds_by_model.values()):.1f} s in all (dbt's own start and parse excluded)")
    for name, seconds in sorted(seconds_by_model.items(), key=lambda item: -item[1])[:top]:
        print(f"      {name}: {seconds:.1f} s")


def _whole_build(warehouse: Path, flags: list[str]) -> dict:
    """`cdp build`'s dbt build (every node but the unit tests, on its threads): the models' and data tests' seconds
    (run_results)."""
    outcome = _run(["build", *flags, *WITHOUT_UNIT_TESTS], warehouse)
    models = _model_seconds(outcome)
    _print_models(models, top=10)
    tests = sum(result.seconds for result in outcome.results if result.resource_type == "test")
    print(f"    data tests: {tests:.1f} s in all")
    return {"models": models, "test_seconds": round(tests, 2)}


def _warehouse_files(warehouse: Path) -> list[Path]:
    return [warehouse, warehouse.with_name(warehouse.name + ".wal")]


def _delete_warehouse(warehouse: Path) -> None:
    for path in _warehouse_files(warehouse):
        path.unlink(missing_ok=True)


def _copy_warehouse(source: Path, target: Path) -> None:
    _delete_warehouse(target)
    for original, copy in zip(_warehouse_files(source), _warehouse_files(target), strict=True):
        if original.exists():
            shutil.copy(original, copy)


def _ratio(figures: dict, part: str, whole: str) -> float:
    ratio = figures[part]["seconds"] / figures[whole]["seconds"]
    print(f"    {part} / {whole}: {ratio:.1%} (target <= 10%)")
    return round(ratio, 3)


def _one_day(figures: dict, history: Path, day_dir: Path, warehouse: Path) -> None:
    """Issue 15: what arrives in practice, the day after the history, taken in by `cdp build` against a full
    rebuild of the same data. On a copy of the warehouse, which stays the history's for a rerun."""
    customers, seed = figures["customers"], figures["seed"]
    if not generated(history, customers, seed):
        print(f"--- one day: skipped, no history of {customers} customers (seed {seed}) generated in {history}")
        return
    if not generated(day_dir, customers, seed):
        shutil.rmtree(day_dir, ignore_errors=True)
        _stage("generate one day", figures, continue_world, history, 1, day_dir)
    day_warehouse = warehouse.with_name("day-whole.duckdb")
    _copy_warehouse(warehouse, day_warehouse)
    loaded = _stage("load one day", figures, load_path, day_dir, warehouse=day_warehouse)
    day: dict = {"loads": len(loaded), "rows": sum(result.rows_read for result in loaded)}
    incremental, full = "whole build, incremental (one day)", "whole build, full (same data)"
    day["whole_incremental"] = _stage(incremental, figures, _whole_build, day_warehouse, [])
    day["whole_full"] = _stage(full, figures, _whole_build, day_warehouse, ["--full-refresh"])
    day["whole_incremental_to_full"] = _ratio(figures, incremental, full)
    _delete_warehouse(day_warehouse)
    figures["one_day"] = day


def _demo(customers: int, seed: int, folder: Path) -> dict:
    """`cdp demo` in `folder` (data, warehouse, dbt's target and logs), as a subprocess like a user's; its dbt build's
    seconds from its output."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    env = dict(os.environ, DBT_TARGET_PATH=str(folder / "target"), DBT_LOG_PATH=str(folder / "logs"))
    command = [str(Path(sys.executable).with_name("cdp")), "demo", "--customers", str(customers), "--seed", str(seed)]
    command += ["--data-dir", str(folder / "data"), "--warehouse", str(folder / "warehouse.duckdb")]
    try:
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f"bench: cdp demo failed: {(result.stdout + result.stderr).strip().splitlines()[-1:]}")
        build = re.search(r"dbt build in ([0-9.]+) s", result.stdout)
        figures = {"dbt_build_seconds": float(build.group(1)) if build else None}
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"    its dbt build: {figures['dbt_build_seconds']} s (the whole demo's target: 120 s at 100,000 customers)")
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--workdir", type=Path, default=PROJECT_DIR / ".build" / "bench")
    parser.add_argument(
        "--warehouse", type=Path, default=None, help="warehouse to use (default <workdir>/<customers>/warehouse.duckdb)"
    )
    parser.add_argument(
        "--start",
        choices=("generate", "identity", "marts"),
        default="generate",
        help="identity: time only the identity stage onwards, on a warehouse whose staging is built;"
        " marts: only the marts onwards, on a warehouse whose identity stage is built",
    )
    parser.add_argument(
        "--end",
        choices=("identity", "marts"),
        default="marts",
        help="identity: stop after the identity stage and the clustering comparison",
    )
    parser.add_argument(
        "--mart-threads",
        type=int,
        default=1,
        help="dbt threads for the marts stage (default 1: two large marts side by side spill to disk)",
    )
    parser.add_argument(
        "--statistical-records",
        type=int,
        default=10_000,
        help="person records for the statistical-matching comparison with Splink (0: skip it)",
    )
    parser.add_argument(
        "--demo-customers",
        type=int,
        default=100_000,
        help="customers of the timed `cdp demo` (0: skip it)",
    )
    parser.add_argument(
        "--splink-python", type=Path, default=None, help="Python of a virtualenv with Splink (`make bench` makes it)"
    )
    parser.add_argument(
        "--skip",
        action="append",
        choices=OPTIONAL_STAGES,
        default=[],
        help="leave out an optional stage (repeatable): the clustering comparison, the lifetime-value fits, the"
        " serve load test, the day after the history",
    )
    args = parser.parse_args(argv)

    workdir = args.workdir / str(args.customers)
    data_dir, day_dir, warehouse = workdir / "data", workdir / "day", args.warehouse or workdir / "warehouse.duckdb"
    workdir.mkdir(parents=True, exist_ok=True)
    figures: dict = {
        "customers": args.customers,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "warehouse": str(warehouse),
    }

    if args.start == "generate":
        if generated(data_dir, args.customers, args.seed):
            print(f"--- generate: reusing {data_dir}")
        else:
            shutil.rmtree(day_dir, ignore_errors=True)
            _stage("generate", figures, generate, args.customers, args.seed, data_dir)
        loaded = _stage("load", figures, load_path, data_dir, warehouse=warehouse)
        figures["load"]["rows"] = sum(result.rows_read for result in loaded)
        figures["load"]["already_loaded"] = all(result.status == "already_loaded" for result in loaded)
        if not figures["load"]["already_loaded"]:
            print("    against a plain DuckDB read of the same files (bench/load_speed.py):")
            figures["load"]["against_plain_read"] = side_by_side(loaded, figures["load"]["seconds"], data_dir, workdir)
        figures["staging_models"] = _stage("build staging", figures, _build, STAGING_SELECTION, warehouse)

    with connect(warehouse, create=True):
        pass  # the runner's own tables (e.g. the identity salt) exist before dbt runs, as `cdp build` ensures
    _build(["path:seeds"], warehouse, "seed")
    if args.start != "marts":
        figures["identity_models"] = _stage("identity stage", figures, _build, IDENTITY_MODELS, warehouse, "run")
        _print_models(figures["identity_models"])
    if args.start != "marts" and "clustering" not in args.skip:
        _stage(
            "clustering vs scipy (the identity links)",
            figures,
            subprocess.run,
            [
                sys.executable,
                str(PROJECT_DIR / "bench" / "components.py"),
                "--edges-from",
                str(warehouse),
                "--workdir",
                str(workdir / "components"),
            ],
            check=True,
        )
    if args.end == "marts":
        # One model at a time: at 1,000,000 customers customer_traits and customer_recommendations built side by
        # side spilled more than the 28 GB of free disk beside the warehouse.
        figures["mart_models"] = _stage("marts", figures, _build, MART_SELECTION, warehouse, "build", args.mart_threads)
    if args.end == "marts" and "ltv" not in args.skip:
        _stage(
            "lifetime-value fits (simulated summaries)", figures, ltv_fits.main, ["--customers", str(args.customers)]
        )
    if args.end == "marts" and "serve" not in args.skip:
        figures["serve_lookup"] = _stage(
            "cdp serve look-up, 20 clients", figures, serve_load.main, ["--warehouse", str(warehouse)]
        )
    if args.end == "marts" and "day" not in args.skip:
        _one_day(figures, data_dir, day_dir, warehouse)

    if args.statistical_records:
        from bench import statistical  # it reuses this module's build helpers

        figures["statistical_matching"] = _stage(
            "statistical matching, cdp and Splink",
            figures,
            statistical.run,
            args.statistical_records,
            args.seed,
            args.workdir / "statistical",
            args.splink_python,
        )

    if args.demo_customers:
        name = f"cdp demo --customers {args.demo_customers}"
        figures["demo"] = _stage(name, figures, _demo, args.demo_customers, args.seed, args.workdir / "demo")

    out = workdir / f"bench-{args.customers}.json"
    out.write_text(json.dumps(figures, indent=2))
    print(f"figures written to {out}")
