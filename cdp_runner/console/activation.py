"""What `cdp export` and `cdp export-marts` print."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from ..activation.destinations import Destination
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
    console.print(export_accounting(result))


def export_accounting(result: ExportResult) -> str:
    """Where the segment's members went: how many consent removed and how many had no identifier to send."""
    names = {"customer_id": "customer id", "email": "e-mail", "phone": "phone"}
    identifiers = ", ".join(names.get(source, source) for source in result.identifier_sources)
    line = (
        f"  {result.members:,} members in the segment: {result.without_consent:,} removed without consent "
        f"({result.channel_consent}), {result.without_identifier:,} without any identifier to send ({identifiers})"
    )
    sent = result.members - result.without_consent - result.without_identifier
    if result.mode == "full" and sent > result.rows:
        line += f", {sent - result.rows:,} identical to another member's row once hashed (sent once)"
    if result.rows == 0 and result.consenting_customers == 0:
        line += (
            f"; no customer at all has {result.channel_consent} (no source delivers that consent yet), "
            "so nothing can be sent"
        )
    elif result.rows == 0 and result.members == 0:
        line += "; the segment matches nobody in this build ('cdp segments' shows every segment's size)"
    elif result.rows == 0:
        line += "; nobody left to send"
    return line


def print_marts(result: MartsResult) -> None:
    table = Table(title=f"Public marts written to {result.folder}", show_edge=False)
    table.add_column("mart")
    table.add_column("rows", justify="right")
    for name, rows in result.tables.items():
        table.add_row(f"{name}.parquet", f"{rows:,}")
    console.print(table)
    console.print(f"manifest: {result.manifest}")


def print_segments(reach: list[dict[str, Any]], destinations: dict[str, Destination]) -> None:
    """The segments with their members and, per destination, the members an export would send after consent."""
    table = Table(title="Segments (models/marts/audiences/_audiences__segments.yml)", show_edge=False)
    table.add_column("segment", no_wrap=True)
    table.add_column("owner", overflow="fold")
    table.add_column("members", justify="right")
    for name in destinations:
        table.add_column(f"-> {name}", justify="right")
    for row in reach:
        table.add_row(
            row["segment_name"],
            row["owner"],
            f"{row['members']:,}",
            *(f"{row['destinations'][name]:,}" for name in destinations),
        )
    console.print(table)
    console.print("-> DESTINATION: members with the consent the destination's channel requires (what an export sends)")
    table = Table(title="Destinations (activation/destinations.yml)", show_edge=False)
    for column in ("destination", "consent channel", "format", "raw personal data"):
        table.add_column(column)
    for name, destination in destinations.items():
        table.add_row(
            name, destination.channel, destination.format, "allowed" if destination.allow_raw_pii else "hashed or none"
        )
    console.print(table)
    console.print("export one: cdp export SEGMENT --to DESTINATION")
