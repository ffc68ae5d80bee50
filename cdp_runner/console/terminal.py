"""The console the commands print to."""

from __future__ import annotations

from rich.console import Console

# Logs and CI are not terminals: give them a width that fits the tables instead of rich's 80 columns.
console = Console(highlight=False)
if not console.is_terminal:
    console = Console(highlight=False, width=120)


def plural(count: int, noun: str) -> str:
    """'1 record', '2 records' (thousands separated)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"
