"""Errors that are the user's to fix: the CLI prints them as one line and exits non-zero."""

from __future__ import annotations

from pathlib import Path

import click


class UserError(click.ClickException):
    """A problem with the input or the invocation, never a bug; shown without a traceback."""


def environment_problem(error: BaseException) -> str | None:
    """One line for a failure of the machine rather than of cdp (the file system, DuckDB's files); None for others.

    DuckDB's exceptions are recognised by their module, so that the command line starts without importing DuckDB."""
    if isinstance(error, OSError):
        where = " -> ".join(str(name) for name in (error.filename, error.filename2) if name is not None)
        return f"{error.strerror or type(error).__name__}{': ' + where if where else ''}"
    if type(error).__module__.split(".")[0] in ("duckdb", "_duckdb"):
        lines = str(error).strip().splitlines()
        return " ".join(lines[0].split()) if lines else type(error).__name__
    return None


def make_folder(folder: Path) -> None:
    """`mkdir -p`, or a UserError that says what is in the way (a file where a folder should be)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        blocker = next((part for part in (folder, *folder.parents) if part.exists() and not part.is_dir()), None)
        why = f"{blocker} is a file, not a folder" if blocker is not None else (error.strerror or str(error))
        raise UserError(f"cannot make the folder {folder}: {why}") from None
