"""Shared fixtures: a private warehouse per test, and a way to look into it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb
import pytest

import session_build
from cdp_runner.config import PROJECT_DIR
from cdp_runner.dbt import PARSE_STATE, target_dir

# Under pytest-xdist (make test runs three workers), each worker's dbt runs get their own target and log folders,
# so that concurrent runs never read each other's run_results.json or partial-parse state.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER and "DBT_TARGET_PATH" not in os.environ:
    os.environ["DBT_TARGET_PATH"] = str(PROJECT_DIR / ".build" / "pytest" / _WORKER / "target")
    os.environ["DBT_LOG_PATH"] = str(PROJECT_DIR / ".build" / "pytest" / _WORKER / "logs")

# The shared builds run in the controller's background processes at normal priority; the workers run below it. The
# Spark run alone takes about 6 minutes, but shared evenly with three workers on two cores it took 16-19 and ended
# the suite; the workers' tests are shorter and many of them wait for the session build anyway.
WORKER_NICENESS = 5

SHARED_BUILD_KEY = "cdp_built_warehouse_dir"
SPARK_RUN_KEY = "cdp_spark_run_dir"


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """Path of the test's own warehouse file (created by the first command that connects)."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def dbt_target(tmp_path: Path, monkeypatch) -> Path:
    """A dbt target folder of the test's own (DBT_TARGET_PATH): what its dbt commands leave there is theirs. It starts
    with the worker's partial-parse state, so the first of them parses only what changed (dbt parse: 12 CPU-seconds
    in full, 4 partially)."""
    target = tmp_path / "target"
    target.mkdir()
    if (target_dir() / PARSE_STATE).exists():
        shutil.copy(target_dir() / PARSE_STATE, target)
    monkeypatch.setenv("DBT_TARGET_PATH", str(target))
    return target


def _reader(warehouse: Path):
    """query(sql, params=None) -> all rows, read-only against `warehouse` (closed after each query)."""

    def run(sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return run


@pytest.fixture
def query(warehouse: Path):
    """query(sql, params=None) -> all rows, read-only against the test's warehouse."""
    return _reader(warehouse)


@pytest.fixture(scope="module")
def marts(built_warehouse):
    """query(sql, params=None) -> all rows, read-only against the shared built warehouse (its marts and the rest)."""
    return _reader(built_warehouse.warehouse)


@pytest.fixture(scope="session")
def built_warehouse(request, tmp_path_factory):
    """One warehouse built end to end from generated data (generate, load, dbt build), shared by the tests
    that only read it (or change it the same way in every worker, such as reloading the same files). Under
    xdist the controller builds it once in the background (session_build) and each worker takes a copy."""
    # CDP_TEST_BUILT_DIR: a folder `python tests/python/session_build.py DIR` built before, reused (while working on
    # one test file, to skip the build)
    shared = getattr(request.config, "workerinput", {}).get(SHARED_BUILD_KEY) or os.environ.get("CDP_TEST_BUILT_DIR")
    if shared:
        return session_build.take_copy(Path(shared), tmp_path_factory.mktemp("built"))
    return session_build.build(tmp_path_factory.mktemp("built"))


@pytest.fixture(scope="session")
def spark_run(request, tmp_path_factory) -> dict:
    """The Spark end-to-end run of test_spark.py (spark_run.py): under xdist started by the controller in the
    background as soon as a worker has collected a test that needs it, so that its waits on Spark overlap the rest
    of the suite."""
    shared = getattr(request.config, "workerinput", {}).get(SPARK_RUN_KEY)
    if shared:
        return session_build.wait_for_outcome(Path(shared), timeout_seconds=2400)
    import spark_run as run

    return run.run(tmp_path_factory.mktemp("spark"))


# The longest test files (over a minute and a half in a make test run), longest first: each group above starts with
# them, so that no worker is left running a long file alone at the end while the others have finished.
LONGEST_FILES = (
    "test_identity.py",
    "test_forget.py",
    "test_daily_builds.py",
    "test_macros.py",
    "test_layout.py",
    "test_staging_outcomes.py",
    "test_recommendations.py",
    "test_load.py",
    "test_cli_errors.py",
    "test_components.py",
)


def _needs(item, fixture: str) -> bool:
    return fixture in set(getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(config, items):
    """The files that need a shared build last (a stable sort, the same in every worker), so that under xdist
    the workers run the others while it is built; the Spark run's file after them all: it is the longest build, and
    the worker that takes the file waits for it, so it should have nothing else left to do. Within each group the
    longest files go first."""
    needing: dict = {}
    for item in items:
        needing.setdefault(item.path, set()).update(
            fixture for fixture in ("built_warehouse", "spark_run") if _needs(item, fixture)
        )
    items.sort(
        key=lambda item: (
            "spark_run" in needing[item.path],
            "built_warehouse" in needing[item.path],
            LONGEST_FILES.index(item.path.name) if item.path.name in LONGEST_FILES else len(LONGEST_FILES),
        )
    )


@pytest.hookimpl(trylast=True)  # after xdist's own, which registers its controller (dsession)
def pytest_configure(config):
    if hasattr(config, "workerinput"):
        os.nice(WORKER_NICENESS)
    if config.pluginmanager.hasplugin("dsession") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(SharedBuild(config), "cdp_shared_build")


class SharedBuild:
    """The xdist controller's side of the shared builds: a folder handed to every worker per build, and each build
    started in the background once a worker has collected a test that needs it (the session warehouse for the
    fixture built_warehouse, the Spark run for spark_run)."""

    BUILDS = {SHARED_BUILD_KEY: ("built_warehouse", []), SPARK_RUN_KEY: ("spark_run", ["spark"])}

    def __init__(self, config):
        folder = PROJECT_DIR / ".build" / "pytest"
        folder.mkdir(parents=True, exist_ok=True)
        self.roots = {key: Path(tempfile.mkdtemp(prefix="built-", dir=folder)) for key in self.BUILDS}
        self.processes: dict[str, subprocess.Popen] = {}

    def pytest_configure_node(self, node):
        for key, root in self.roots.items():
            node.workerinput[key] = str(root)

    def pytest_xdist_node_collection_finished(self, node, ids):
        files = {nodeid.split("::")[0] for nodeid in ids}
        texts = [(node.config.rootpath / name).read_text() for name in files]
        for key, (fixture, arguments) in self.BUILDS.items():
            if key in self.processes or not any(fixture in text for text in texts):
                continue
            root = self.roots[key]
            env = {**os.environ, "DBT_TARGET_PATH": str(root / "target"), "DBT_LOG_PATH": str(root / "logs")}
            with (root / "build.log").open("w") as log:
                self.processes[key] = subprocess.Popen(
                    [sys.executable, str(Path(session_build.__file__)), str(root), *arguments],
                    cwd=PROJECT_DIR,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )

    def pytest_unconfigure(self, config):
        for process in self.processes.values():
            process.kill()
            process.wait()
        for root in self.roots.values():
            shutil.rmtree(root, ignore_errors=True)
