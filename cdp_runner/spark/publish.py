"""When the raw zone is published: after every change to what dbt reads, when the target is Spark."""

from __future__ import annotations

from pathlib import Path

import duckdb

from ..config import is_spark, raw_zone_dir
from .raw_zone import PublishResult, publish_raw_zone


def publish_for_target(con: duckdb.DuckDBPyConnection, warehouse: Path) -> PublishResult | None:
    """Publish the raw zone of `warehouse` if the target reads it (Spark), or if it exists (a warehouse that serves
    both engines: a load or an erasure on DuckDB keeps Spark's view in step); None when there is nothing to do."""
    zone = raw_zone_dir(warehouse)
    if not (is_spark() or zone.exists()):
        return None
    return publish_raw_zone(con, zone)
