"""What `cdp generate` and `cdp load` print."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import click
from rich.table import Table

from ..ingest.loader import LoadResult
from .terminal import console, plural


def print_generate_summary(summary: dict, out_dir: Path) -> None:
    title = f"Generated into {out_dir}"
    if "first_day" in summary:  # days after an earlier run
        title += f" ({summary['first_day']} to {summary['end_date']}, {summary['new_people']:,} new people)"
    table = Table(title=title, show_edge=False)
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


def print_value_summary(results: Iterable[LoadResult]) -> None:
    """Per source, the records staging will quarantine and the fields it will null, as far as the loader can tell
    (records it could not split, values not of their contract type); `cdp build` reports the rest."""
    per_source: dict[str, tuple[int, int, dict[str, int]]] = {}
    for result in results:
        if result.status != "loaded":
            continue
        unsplit, invalid, fields = per_source.get(result.source_name, (0, 0, {}))
        for column, count in result.fields_to_null.items():
            fields[column] = fields.get(column, 0) + count
        per_source[result.source_name] = (unsplit + result.rows_rejected, invalid + result.rows_to_quarantine, fields)
    noted = {source: figures for source, figures in per_source.items() if figures[0] or figures[1] or figures[2]}
    if not noted:
        return
    click.echo("staging will quarantine records and null fields (cdp build reports what it did):")
    for source, (unsplit, invalid, fields) in sorted(noted.items()):
        line = f"  {source}: {plural(unsplit + invalid, 'record')} to quarantine ({unsplit:,} not splittable, "
        line += f"{invalid:,} with a required value missing or not of its type)"
        if fields:
            by_column = ", ".join(f"{column} {count:,}" for column, count in sorted(fields.items()))
            line += f"; {plural(sum(fields.values()), 'field')} to null (not of the contract type: {by_column})"
        click.echo(line)


def print_suppressed_rows(results: Iterable[LoadResult]) -> None:
    """How many delivered records belonged to erased people (only when some did)."""
    suppressed = sum(result.rows_suppressed for result in results)
    if suppressed:
        click.echo(f"{suppressed:,} records of erased people (cdp forget) were not stored")
