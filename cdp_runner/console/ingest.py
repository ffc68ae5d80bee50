"""What `cdp generate` and `cdp load` print."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
from rich.table import Table

from ..ingest.loader import LoadResult
from .terminal import console


def print_generate_summary(summary: dict, out_dir: Path) -> None:
    table = Table(title=f"Generated into {out_dir}", show_edge=False)
    table.add_column("file")
    table.add_column("rows", justify="right")
    for file_name, rows in sorted(summary["files"].items()):
        table.add_row(file_name, f"{rows:,}")
    console.print(table)
    console.print(f"ground truth: {out_dir / '_truth'}  ({summary['seconds']:.1f} s)")


def print_load_results(results: Iterable[LoadResult]) -> None:
    table = Table(title="Load", show_edge=False)
    for column in ("file", "source", "rows", "not splittable", "status"):
        table.add_column(column, justify="right" if column in {"rows", "not splittable"} else "left")
    for result in results:
        if result.status == "already_loaded":
            table.add_row(result.file_name, result.source_name, "", "", "already loaded: nothing to do")
            continue
        if result.status == "skipped":
            table.add_row(result.file_name, "", "", "", f"skipped: {result.note}")
            continue
        table.add_row(
            result.file_name,
            result.source_name,
            f"{result.rows_read:,}",
            f"{result.rows_rejected:,}",
            f"loaded as {result.load_id}",
        )
    console.print(table)


def print_suppressed_rows(results: Iterable[LoadResult]) -> None:
    """How many delivered records belonged to erased people (only when some did)."""
    suppressed = sum(result.rows_suppressed for result in results)
    if suppressed:
        click.echo(f"{suppressed:,} records of erased people (cdp forget) were not stored")
