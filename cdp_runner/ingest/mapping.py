"""Which delivered column carries which contract column, optionally renamed by a mapping file.

A mapping file lets a user load exports whose columns are named differently from the
contract (see docs/loading.md):

    sources:
      crm_customers:
        columns:
          CustomerID: crm_customer_id
          EMail: email

Every column name the loader compares - header fields, JSON keys, Parquet column names and
the names in a mapping file - is compared after trimming and ignoring case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..errors import UserError
from .contracts import SOURCES_BY_NAME, Source


class ColumnError(Exception):
    """A file's columns do not fit its contract; the loader adds the file name to the message."""


def _normalize(name: str) -> str:
    return name.strip().lower()


def read_mapping(path: str | Path) -> dict[str, dict[str, str]]:
    """Read and check a mapping file: {source: {delivered name, trimmed and lower-case: contract column}}.

    Every problem is a one-line UserError naming the file.
    """
    path = Path(path)

    def fail(problem: str) -> UserError:
        return UserError(f"mapping file {path}: {problem}")

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UserError(f"mapping file {path} not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise fail(f"cannot read it ({error})") from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise fail(f"not valid YAML{where}: {getattr(error, 'problem', None) or error}") from None

    if not isinstance(document, dict) or set(document) != {"sources"}:
        raise fail("expected a single top-level key 'sources' (see docs/loading.md)")
    if not isinstance(document["sources"], dict):
        raise fail("'sources' must map source names to their columns")

    renames: dict[str, dict[str, str]] = {}
    for source_name, entry in document["sources"].items():
        source = SOURCES_BY_NAME.get(source_name)
        if source is None:
            raise fail(f"unknown source {source_name!r} (sources: {', '.join(SOURCES_BY_NAME)})")
        if not isinstance(entry, dict) or set(entry) != {"columns"} or not isinstance(entry["columns"], dict):
            raise fail(f"sources.{source_name} must have one key 'columns', mapping delivered names to contract names")
        renames[source_name] = _read_columns(source, entry["columns"], fail)
    return renames


def _read_columns(source: Source, columns: dict, fail: Callable[[str], UserError]) -> dict[str, str]:
    contract = set(source.column_names)
    renames: dict[str, str] = {}
    for delivered, target in columns.items():
        # YAML reads unquoted 1, 2.5, yes or No as numbers and booleans; the original spelling is lost.
        if not isinstance(delivered, str) or not isinstance(target, str):
            raise fail(
                f"sources.{source.name}.columns: {delivered!r}: {target!r}: names must be text "
                "(quote names YAML reads as numbers or booleans, like 1 or No)"
            )
        if target not in contract:
            raise fail(
                f"sources.{source.name}.columns.{delivered}: {target!r} is not a column of {source.name} "
                f"(columns: {', '.join(source.column_names)})"
            )
        key = _normalize(delivered)
        if renames.get(key, target) != target:
            raise fail(f"sources.{source.name}.columns: {delivered!r} is mapped twice (names ignore case)")
        renames[key] = target
    return renames


@dataclass(frozen=True)
class ColumnPlan:
    """How one file's delivered columns (a CSV header, Parquet columns, JSON keys) fill its raw table."""

    positions: dict[str, int]  # contract column -> index of the delivered column that carries it
    ignored: tuple[str, ...]  # delivered columns the contract does not know, as spelled in the file
    renamed: dict[str, str]  # delivered name -> contract column, for the renames the mapping file made


def plan_columns(source: Source, delivered: Sequence[str], renames: Mapping[str, str]) -> ColumnPlan:
    """Match delivered columns to the contract; raises ColumnError for duplicates and missing required columns."""
    contract = {_normalize(name): name for name in source.column_names}
    positions: dict[str, int] = {}
    ignored: list[str] = []
    renamed: dict[str, str] = {}
    for index, name in enumerate(delivered):
        key = _normalize(name)
        target = renames[key] if key in renames else contract.get(key)
        if target is None:
            ignored.append(name)
            continue
        if target in positions:
            raise ColumnError(f"columns {delivered[positions[target]]!r} and {name!r} both deliver {target!r}")
        positions[target] = index
        if key in renames:
            renamed[name] = target

    missing = [name for name in source.required_columns if name not in positions]
    if missing:
        raise ColumnError(_missing_message(source, missing, delivered))
    return ColumnPlan(positions=positions, ignored=tuple(ignored), renamed=renamed)


def _missing_message(source: Source, missing: list[str], delivered: Sequence[str]) -> str:
    plural = "s" if len(missing) > 1 else ""
    shown = ", ".join(repr(name) for name in delivered[:8]) + (", ..." if len(delivered) > 8 else "")
    message = f"missing required column{plural} {', '.join(missing)} of {source.name} (found: {shown or 'none'})"
    # A header read as one column usually means another delimiter, which the loader does not guess.
    if len(delivered) == 1 and any(separator in delivered[0] for separator in ";\t|"):
        return message + "; the file does not look comma-separated"
    return message + "; rename columns with a mapping file (--mapping) if they are named differently"
