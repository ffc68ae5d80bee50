"""The warehouse the read-mostly tests share: generated, loaded and built end to end once per test session.

Under pytest-xdist (make test) the controller starts this file as a background process as soon as the workers have
collected, so the build runs while both workers get on with the test files that do not need it (conftest orders
those first), instead of every worker building its own. Each worker then takes a private copy of the warehouse
file (tests of one worker may write to it, e.g. a reload; DuckDB lets only one process write a file).

    python tests/python/session_build.py DIR   # writes DIR/data, DIR/warehouse.duckdb, then DIR/outcome.json

The Spark run of test_spark.py (spark_run.py) starts and is awaited the same way: `session_build.py DIR spark`.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from types import SimpleNamespace

# Small enough for make test's time budget, large enough that every kind of messiness the generator
# produces (malformed rows, duplicates, junk identifiers, households, bots) appears in it.
BUILT_CUSTOMERS = 1500
BUILT_SEED = 11

OUTCOME_FILE = "outcome.json"
ERROR_FILE = "error.txt"
PID_FILE = "builder.pid"
MANIFEST_FILE = "manifest.json"


def build(root: Path) -> SimpleNamespace:
    """Generate, load and `dbt build` (every data test and unit test) into root; the outcome as the fixture returns
    it."""
    from cdp_runner.dbt import target_dir
    from cdp_runner.generator.generate import generate
    from cdp_runner.ingest.loader import load_path
    from cdp_runner.pipeline import build_warehouse

    data_dir, warehouse = root / "data", root / "warehouse.duckdb"
    generate(BUILT_CUSTOMERS, BUILT_SEED, data_dir)
    load_path(data_dir, warehouse=warehouse)
    outcome = build_warehouse(warehouse=warehouse, unit_tests=True)
    # the build's own manifest, kept beside its warehouse: the dbt target folder is the next dbt run's to overwrite
    shutil.copy(target_dir() / "manifest.json", root / MANIFEST_FILE)
    return _namespace(root, warehouse, outcome)


def build_in_background(root: Path, work: Callable[[Path], dict] | None = None) -> None:
    """The background process's work (default: build the session warehouse), then its outcome (or the error) written
    for the workers to read."""
    (root / PID_FILE).write_text(str(os.getpid()))
    try:
        outcome = work(root) if work else asdict(build(root).outcome)
    except BaseException:
        (root / ERROR_FILE).write_text(traceback.format_exc())
        raise
    # written under another name, then renamed, so that a waiting worker never reads half a file
    partial = root / f"{OUTCOME_FILE}.partial"
    partial.write_text(json.dumps(outcome))
    partial.rename(root / OUTCOME_FILE)


def wait_for_outcome(root: Path, timeout_seconds: float = 1800) -> dict:
    """Waits for the background process in root; its outcome."""
    deadline = time.monotonic() + timeout_seconds
    while not (root / OUTCOME_FILE).exists():
        if (root / ERROR_FILE).exists():
            raise RuntimeError(f"the background build failed:\n{(root / ERROR_FILE).read_text()}")
        if not _builder_alive(root):
            raise RuntimeError(f"the background build stopped without a result (log: {root / 'build.log'})")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the background build took over {timeout_seconds:.0f} s")
        time.sleep(0.5)
    return json.loads((root / OUTCOME_FILE).read_text())


def take_copy(root: Path, into: Path, timeout_seconds: float = 1800) -> SimpleNamespace:
    """Waits for the background build in root, then copies its warehouse into `into` (the data stays shared:
    the tests only read it)."""
    from cdp_runner.dbt import DbtOutcome, NodeResult

    fields = wait_for_outcome(root, timeout_seconds)
    outcome = DbtOutcome(**{**fields, "results": [NodeResult(**result) for result in fields["results"]]})
    into.mkdir(parents=True, exist_ok=True)
    warehouse = into / "warehouse.duckdb"
    shutil.copy(root / "warehouse.duckdb", warehouse)
    return _namespace(root, warehouse, outcome)


def _namespace(root: Path, warehouse: Path, outcome) -> SimpleNamespace:
    data_dir = root / "data"
    return SimpleNamespace(
        data_dir=data_dir,
        warehouse=warehouse,
        outcome=outcome,
        truth_dir=data_dir / "_truth",
        manifest=root / MANIFEST_FILE,
    )


def _builder_alive(root: Path) -> bool:
    pid_file = root / PID_FILE
    if not pid_file.exists():
        return True  # not started yet
    try:
        pid = int(pid_file.read_text())
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError):
        return True
    # A builder killed by a signal stays a zombie until the controller reaps it, and a zombie still answers kill 0:
    # its state in /proc (Linux) tells. Elsewhere the waiting worker falls back to its timeout.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


if __name__ == "__main__":
    if sys.argv[2:] == ["spark"]:
        import spark_run

        build_in_background(Path(sys.argv[1]), spark_run.run)
    else:
        build_in_background(Path(sys.argv[1]))
