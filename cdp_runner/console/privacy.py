"""What `cdp forget` asks and prints."""

from __future__ import annotations

import click
from rich.table import Table

from ..privacy.erasure import ErasureResult, Person
from .terminal import console


def confirm_erasure(person: Person) -> None:
    """Ask before erasing; aborts the command (exit code 1) unless the answer is yes."""
    click.confirm(
        f"Erase customer {person.customer_id} ({len(person.identifiers)} identifiers, "
        f"{len(person.records)} source records)? This cannot be undone",
        abort=True,
    )


def print_erasure(result: ErasureResult) -> None:
    console.print(
        f"erased the customer found by {result.matched_by}: {result.identifier_count} identifiers, "
        f"{result.record_count} source records; {result.total_rows_removed:,} rows removed "
        f"(erasure {result.erasure_id})"
    )
    table = Table(show_edge=False)
    table.add_column("table")
    table.add_column("rows removed", justify="right")
    for name, count in result.rows_removed.items():
        table.add_row(name, f"{count:,}")
    console.print(table)
    for destination, rows in result.notices.items():
        console.print(f"the next export to {destination} tells it to delete {rows:,} rows sent about this person")
    console.print(
        "later loads skip this person's rows"
        + ("; the warehouse was rebuilt" if result.rebuilt else "; run 'cdp build' to recompute the models")
    )
