"""What `cdp export` and `cdp export-marts` print."""

from __future__ import annotations

from rich.table import Table

from ..activation.marts_export import MartsResult
from ..activation.segment_export import ExportResult
from .terminal import console


def print_export(result: ExportResult) -> None:
    erased = f", of which {result.erased:,} erased" if result.erased else ""
    change = f" ({result.added:,} added, {result.removed:,} removed{erased})" if result.mode == "diff" else ""
    console.print(
        f"exported {result.rows:,} rows{change} of segment {result.segment} to {result.destination} "
        f"(build {result.build_time}): {result.file}"
    )
    if result.erasures_file is not None:
        console.print(f"erasures: {result.erased:,} rows of erased people to delete: {result.erasures_file}")
    console.print(f"manifest: {result.manifest}")


def print_marts(result: MartsResult) -> None:
    table = Table(title=f"Public marts written to {result.folder}", show_edge=False)
    table.add_column("mart")
    table.add_column("rows", justify="right")
    for name, rows in result.tables.items():
        table.add_row(f"{name}.parquet", f"{rows:,}")
    console.print(table)
    console.print(f"manifest: {result.manifest}")
