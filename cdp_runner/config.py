"""Where things live: the dbt project, the warehouse file, default settings."""

from __future__ import annotations

import os
from pathlib import Path

import yaml

from .errors import UserError

PROJECT_DIR = Path(os.environ.get("CDP_PROJECT_DIR", Path(__file__).resolve().parent.parent))
DEFAULT_WAREHOUSE = PROJECT_DIR / "warehouse" / "cdp.duckdb"

RAW_SCHEMA = "raw"
META_SCHEMA = "cdp_meta"

# The dbt target (profiles.yml): CDP_TARGET, which `cdp --target` sets; duckdb unless it says otherwise.
DEFAULT_TARGET = "duckdb"


def warehouse_path(override: str | os.PathLike | None = None) -> Path:
    """The DuckDB file: an explicit path, else $CDP_WAREHOUSE, else warehouse/cdp.duckdb in the project."""
    if override:
        return Path(override).expanduser().resolve()
    from_env = os.environ.get("CDP_WAREHOUSE")
    if from_env:
        return Path(from_env).expanduser().resolve()
    return DEFAULT_WAREHOUSE


def target_name() -> str:
    """The dbt target of this process: $CDP_TARGET, else duckdb."""
    return os.environ.get("CDP_TARGET") or DEFAULT_TARGET


def target_type(target: str | None = None) -> str:
    """The adapter type (duckdb, spark) of a target of profiles.yml; UserError for a target it does not have."""
    name = target or target_name()
    outputs = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())["cdp"]["outputs"]
    if name not in outputs:
        raise UserError(f"unknown target {name!r}: profiles.yml has {', '.join(sorted(outputs))}")
    return str(outputs[name]["type"])


def is_spark(target: str | None = None) -> bool:
    return target_type(target) == "spark"


def require_duckdb_marts(command: str) -> None:
    """UserError when the target is not DuckDB: `command` reads the marts from the DuckDB file."""
    if is_spark():
        raise UserError(
            f"cdp {command} reads the marts from the DuckDB file, and target {target_name()} builds them in Spark: "
            "run it with --target duckdb after a DuckDB build, or read Spark's marts with 'cdp export-marts' "
            "(docs/spark.md)"
        )


def spark_dir(warehouse: Path) -> Path:
    """Spark's state for a warehouse (metastore and tables), beside the DuckDB file: $CDP_SPARK_DIR, else
    <warehouse folder>/spark."""
    configured = os.environ.get("CDP_SPARK_DIR")
    return Path(configured).expanduser().resolve() if configured else warehouse.resolve().parent / "spark"


def raw_zone_dir(warehouse: Path) -> Path:
    """Where the loader publishes the raw layer for Spark: $CDP_RAW_ZONE, else <warehouse folder>/raw_zone."""
    configured = os.environ.get("CDP_RAW_ZONE")
    return Path(configured).expanduser().resolve() if configured else warehouse.resolve().parent / "raw_zone"


def dbt_environment(warehouse: Path, folder: Path | None = None) -> dict[str, str]:
    """Environment for a dbt invocation against `warehouse` (a name relative to `folder`, the warehouse's folder
    dbt runs in, when given)."""
    env = dict(os.environ)
    env["CDP_WAREHOUSE"] = str(warehouse)
    absolute = (folder / warehouse) if folder else warehouse
    env["CDP_SPARK_DIR"] = str(spark_dir(absolute))
    env["CDP_RAW_ZONE"] = str(raw_zone_dir(absolute))
    env["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    env["DBT_PROFILES_DIR"] = str(PROJECT_DIR)
    env["DBT_PROJECT_DIR"] = str(PROJECT_DIR)
    return env
