"""The public marts as Parquet for BI tools (`cdp export-marts`): atomically, with a manifest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..config import is_spark, warehouse_path
from ..errors import UserError
from ..manifest import project_models
from ..spark.marts import SparkMarts
from ..spark.session import spark_session
from ..warehouse import connect, quote_literal, scalar
from .files import atomic_write, file_sha256, write_manifest


@dataclass
class MartsResult:
    folder: Path
    manifest: Path
    tables: dict[str, int] = field(default_factory=dict)


MARTS_SCHEMA = "marts"


def public_marts(*, warehouse: str | Path | None = None) -> list[str]:
    """Models of the marts schema with `access: public` in dbt's manifest (the marts BI tools may read; the audit
    models are public too, for governance, but they are not marts)."""
    return sorted(
        name
        for name, model in project_models(warehouse=warehouse).items()
        if model.get("access") == "public" and model.get("schema") == MARTS_SCHEMA
    )


def export_marts(
    out_dir: Path,
    *,
    warehouse: str | Path | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
) -> MartsResult:
    """Every public mart built in the warehouse as DIR/<mart>.parquet, atomically, then DIR/_manifest.json."""
    database = warehouse_path(warehouse)
    if not database.exists():
        raise UserError(f"no warehouse at {database}: run 'cdp load' and 'cdp build' first")
    folder = Path(out_dir).resolve()
    result = MartsResult(folder=folder, manifest=folder / "_manifest.json")
    public = public_marts(warehouse=warehouse)
    with _marts_reader(database) as reader:
        marts = [name for name in public if name in reader.built]
        if not marts:
            raise UserError(f"no public marts in {database}: run 'cdp build' first")
        build_time = (
            reader.scalar(f"select max(built_at) from {MARTS_SCHEMA}.audience_segments")
            if "audience_segments" in marts
            else None
        )
        entries = {}
        for index, name in enumerate(marts):
            target = folder / f"{name}.parquet"
            atomic_write(target, reader.parquet_writer(f"{MARTS_SCHEMA}.{name}"))
            rows = reader.scalar(f"select count(*) from {MARTS_SCHEMA}.{name}")
            entries[name] = {"file": target.name, "rows": rows, "sha256": file_sha256(target)}
            result.tables[name] = rows
            if on_progress:
                on_progress(index + 1, len(marts), name)
    write_manifest(
        result.manifest,
        {"build_time": build_time.isoformat(sep=" ") if build_time else None, "tables": entries},
    )
    return result


class _DuckDBMarts:
    """The marts of the DuckDB warehouse."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.built = {
            row[0]
            for row in con.execute(
                f"select table_name from information_schema.tables where table_schema = '{MARTS_SCHEMA}'"
            ).fetchall()
        }

    def scalar(self, sql: str):
        return scalar(self.con, sql)

    def parquet_writer(self, table: str) -> Callable[[Path], object]:
        """A writer of the table as Parquet into the file it is given."""
        return lambda path: self.con.execute(f"copy (select * from {table}) to {quote_literal(path)} (format parquet)")


@contextmanager
def _marts_reader(database: Path) -> Iterator[_DuckDBMarts | SparkMarts]:
    """The marts where the target builds them: the DuckDB file, or Spark's tables (cdp_runner.spark.marts)."""
    if is_spark():
        yield SparkMarts(spark_session(database))
        return
    with connect(database, read_only=True) as con:
        yield _DuckDBMarts(con)
