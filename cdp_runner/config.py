"""Where things live: the dbt project, the warehouse file, default settings."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(os.environ.get("CDP_PROJECT_DIR", Path(__file__).resolve().parent.parent))
DEFAULT_WAREHOUSE = PROJECT_DIR / "warehouse" / "cdp.duckdb"

RAW_SCHEMA = "raw"
META_SCHEMA = "cdp_meta"


def warehouse_path(override: str | os.PathLike | None = None) -> Path:
    """The DuckDB file: an explicit path, else $CDP_WAREHOUSE, else warehouse/cdp.duckdb in the project."""
    if override:
        return Path(override).expanduser().resolve()
    from_env = os.environ.get("CDP_WAREHOUSE")
    if from_env:
        return Path(from_env).expanduser().resolve()
    return DEFAULT_WAREHOUSE


def dbt_environment(warehouse: Path) -> dict[str, str]:
    """Environment for a dbt invocation against `warehouse`."""
    env = dict(os.environ)
    env["CDP_WAREHOUSE"] = str(warehouse)
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["DBT_PROFILES_DIR"] = str(PROJECT_DIR)
    env["DBT_PROJECT_DIR"] = str(PROJECT_DIR)
    return env
