"""Shared fixtures: a private warehouse per test, and a way to look into it."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

import duckdb
import pytest

from cdp_runner.config import PROJECT_DIR

# Under pytest-xdist (make test runs two workers), each worker's dbt runs get their own target and log folders,
# so that concurrent runs never read each other's run_results.json or partial-parse state.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER and "DBT_TARGET_PATH" not in os.environ:
    os.environ["DBT_TARGET_PATH"] = str(PROJECT_DIR / ".build" / "pytest" / _WORKER / "target")
    os.environ["DBT_LOG_PATH"] = str(PROJECT_DIR / ".build" / "pytest" / _WORKER / "logs")


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """Path of the test's own warehouse file (created by the first command that connects)."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def query(warehouse: Path):
    """query(sql, params=None) -> all rows, read-only against the test's warehouse."""

    def run(sql: str, params: list | None = None) -> list[tuple]:
        con = duckdb.connect(str(warehouse), read_only=True)
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    return run


# Small enough for make test's time budget, large enough that every kind of messiness the generator
# produces (malformed rows, duplicates, junk identifiers, households, bots) appears in it.
BUILT_CUSTOMERS = 1500
BUILT_SEED = 11


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory):
    """One warehouse built end to end from generated data (generate, load, dbt build), shared by the tests
    that only read it."""
    from cdp_runner.generate import generate
    from cdp_runner.load import load_path
    from cdp_runner.pipeline import build_warehouse

    root = tmp_path_factory.mktemp("built")
    data_dir = root / "data"
    warehouse = root / "warehouse.duckdb"
    generate(BUILT_CUSTOMERS, BUILT_SEED, data_dir)
    load_path(data_dir, warehouse=warehouse)
    outcome = build_warehouse(warehouse=warehouse)
    return SimpleNamespace(data_dir=data_dir, warehouse=warehouse, outcome=outcome, truth_dir=data_dir / "_truth")
