"""The public marts as Parquet for BI tools (`cdp export-marts`): atomically, with a manifest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..config import warehouse_path
from ..errors import UserError
from ..manifest import project_models
from ..warehouse import connect, quote_literal, scalar
from .files import atomic_write, file_sha256, write_manifest


@dataclass
class MartsResult:
    folder: Path
    manifest: Path
    tables: dict[str, int] = field(default_factory=dict)


def public_marts(*, warehouse: str | Path | None = None) -> list[str]:
    """Models with `access: public` in dbt's manifest (the marts BI tools may read)."""
    return sorted(
        name for name, model in project_models(warehouse=warehouse).items() if model.get("access") == "public"
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
    with connect(database, read_only=True) as con:
        built = {
            row[0]
            for row in con.execute(
                "select table_name from information_schema.tables where table_schema = 'marts'"
            ).fetchall()
        }
        marts = [name for name in public if name in built]
        if not marts:
            raise UserError(f"no public marts in {database}: run 'cdp build' first")
        build_time = (
            scalar(con, "select max(built_at) from marts.audience_segments") if "audience_segments" in built else None
        )
        entries = {}
        for index, name in enumerate(marts):
            target = folder / f"{name}.parquet"
            atomic_write(target, _parquet_of(con, f"marts.{name}"))
            rows = scalar(con, f"select count(*) from marts.{name}")
            entries[name] = {"file": target.name, "rows": rows, "sha256": file_sha256(target)}
            result.tables[name] = rows
            if on_progress:
                on_progress(index + 1, len(marts), name)
    write_manifest(
        result.manifest,
        {"build_time": build_time.isoformat(sep=" ") if build_time else None, "tables": entries},
    )
    return result


def _parquet_of(con: duckdb.DuckDBPyConnection, table: str) -> Callable[[Path], object]:
    """A writer of the table as Parquet into the file it is given."""
    return lambda path: con.execute(f"copy (select * from {table}) to {quote_literal(path)} (format parquet)")
