"""The load ledger (cdp_meta.load_ledger): one row per loaded file content, which makes loading it again a no-op."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

import duckdb

from ..config import META_SCHEMA
from ..warehouse import utc_now


@dataclass(frozen=True)
class LedgerEntry:
    load_id: str
    source_name: str
    file_name: str
    file_path: str
    content_sha256: str
    file_format: str
    rows_read: int
    rows_accepted: int
    rows_rejected: int
    column_mapping: dict[str, str]  # delivered name -> contract column, for the renames a mapping file made
    ignored_columns: tuple[str, ...]  # delivered columns the contract does not know
    started_at: datetime
    rows_suppressed: int  # records of erased people, read but not stored


def earlier_load(con: duckdb.DuckDBPyConnection, source_name: str, sha256: str) -> tuple[str, str] | None:
    """(load_id, file_name) of the load that brought this content for this source, if any."""
    rows = con.execute(
        f"select load_id, file_name from {META_SCHEMA}.load_ledger "
        "where source_name = ? and content_sha256 = ? order by started_at limit 1",
        [source_name, sha256],
    ).fetchall()
    return rows[0] if rows else None


def write_ledger(con: duckdb.DuckDBPyConnection, entry: LedgerEntry) -> None:
    """The ledger row of a load, finished now; inside the load's transaction."""
    con.execute(
        f"""insert into {META_SCHEMA}.load_ledger (
                load_id, source_name, file_name, file_path, content_sha256, file_format, rows_read, rows_accepted,
                rows_rejected, column_mapping, ignored_columns, started_at, finished_at, rows_suppressed)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            entry.load_id,
            entry.source_name,
            entry.file_name,
            entry.file_path,
            entry.content_sha256,
            entry.file_format,
            entry.rows_read,
            entry.rows_accepted,
            entry.rows_rejected,
            json.dumps(entry.column_mapping, ensure_ascii=False) if entry.column_mapping else None,
            json.dumps(list(entry.ignored_columns), ensure_ascii=False) if entry.ignored_columns else None,
            entry.started_at,
            utc_now(),
            entry.rows_suppressed,
        ],
    )
