"""Connections to the DuckDB warehouse, the tables the runner owns (raw and cdp_meta), and small SQL helpers."""

from __future__ import annotations

import datetime as dt
import decimal
import os
import re
import secrets
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
import duckdb

from .config import META_SCHEMA, RAW_SCHEMA, warehouse_path
from .errors import UserError, make_folder
from .ingest.contracts import LOAD_COLUMNS, SOURCES, Source

LEDGER_DDL = f"""
create table if not exists {META_SCHEMA}.load_ledger (
    load_id varchar primary key,
    source_name varchar not null,
    file_name varchar not null,
    file_path varchar not null,
    content_sha256 varchar not null,
    file_format varchar not null,
    rows_read bigint not null,
    rows_accepted bigint not null,
    rows_rejected bigint not null,
    column_mapping varchar,
    ignored_columns varchar,
    started_at timestamp not null,
    finished_at timestamp not null
)
"""


IDENTITY_SETTINGS_DDL = f"""
create table if not exists {META_SCHEMA}.identity_settings (
    salt varchar not null,
    created_at timestamp not null
)
"""

# Erasure (cdp_runner/privacy/, docs/erasure.md): hashes and counts only, never a plain identifier.
ERASURE_DDL = (
    f"""
create table if not exists {META_SCHEMA}.erasure_key (
    key_hex varchar not null,
    created_at timestamp not null
)
""",
    f"""
create table if not exists {META_SCHEMA}.suppressed_identifiers (
    identifier_hash varchar primary key,
    identifier_type varchar not null,
    erasure_id varchar not null,
    suppressed_at timestamp not null
)
""",
    f"""
create table if not exists {META_SCHEMA}.erasure_log (
    erasure_id varchar primary key,
    erased_at timestamp not null,
    matched_by varchar not null,
    identifier_hashes varchar not null,
    identifier_count integer not null,
    record_count integer not null,
    rows_removed varchar not null,
    rows_removed_total bigint not null
)
""",
    # Warehouses made before erasure existed get the ledger's count of suppressed rows too.
    f"alter table {META_SCHEMA}.load_ledger add column if not exists rows_suppressed bigint default 0",
)


def raw_table_ddl(source: Source) -> str:
    columns = [f"{name} varchar" for name in source.column_names]
    columns += [f"{column.name} {column.type}" for column in LOAD_COLUMNS]
    return f"create table if not exists {RAW_SCHEMA}.{source.name} (\n    " + ",\n    ".join(columns) + "\n)"


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables and the load ledger if they are missing (idempotent)."""
    con.execute(f"create schema if not exists {RAW_SCHEMA}")
    con.execute(f"create schema if not exists {META_SCHEMA}")
    con.execute(LEDGER_DDL)
    for ddl in ERASURE_DDL:
        con.execute(ddl)
    con.execute(IDENTITY_SETTINGS_DDL)
    # A secret drawn once per warehouse: customer ids are stable for its lifetime and cannot be recomputed from an
    # e-mail address by anyone without the warehouse (dbt reads it: macros/identity/cdp_identity_customer_id.sql).
    con.execute(
        f"insert into {META_SCHEMA}.identity_settings "
        f"select ?, current_timestamp where not exists (select 1 from {META_SCHEMA}.identity_settings)",
        [secrets.token_hex(32)],
    )
    for source in SOURCES:
        con.execute(raw_table_ddl(source))


@contextmanager
def connect(
    path: str | Path | None = None, *, read_only: bool = False, create: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse, and create the raw tables and the ledger if they are missing (not when read_only).

    Only `create` makes a new warehouse file (load and build do); every other command refuses a path with no
    warehouse, so that a mistyped path never leaves an empty warehouse behind. Every problem opening it (busy,
    damaged, not a warehouse, not writable) is a one-line UserError."""
    database = warehouse_path(path)
    if not database.exists() and (read_only or not create):
        raise UserError(f"no warehouse at {database}: run 'cdp load' and 'cdp build' first")
    make_folder(database.parent)
    con = _open(database, read_only)
    try:
        if not read_only:
            try:
                ensure_schema(con)
            except duckdb.Error as error:
                raise UserError(warehouse_problem(database, error)) from None
        yield con
    finally:
        con.close()


def wait_seconds() -> float:
    """How long a command waits for a warehouse another process has open ($CDP_WAREHOUSE_WAIT, seconds)."""
    try:
        return max(float(os.environ.get("CDP_WAREHOUSE_WAIT", DEFAULT_WAIT_SECONDS)), 0.0)
    except ValueError:
        raise UserError(
            f"CDP_WAREHOUSE_WAIT must be a number of seconds, not {os.environ['CDP_WAREHOUSE_WAIT']!r}"
        ) from None


DEFAULT_WAIT_SECONDS = 10.0
_LOCK_HOLDER = re.compile(r"Conflicting lock is held in (.*?) \(PID (\d+)\)")


def _open(database: Path, read_only: bool) -> duckdb.DuckDBPyConnection:
    """duckdb.connect, waiting up to wait_seconds() while another process holds the file's lock."""
    deadline = time.monotonic() + wait_seconds()
    announced = False
    while True:
        try:
            return duckdb.connect(str(database), read_only=read_only)
        except duckdb.Error as error:
            if not is_lock_conflict(error) or time.monotonic() >= deadline:
                raise UserError(warehouse_problem(database, error)) from None
            if not announced and sys.stderr.isatty():  # a person at a terminal sees why nothing happens yet
                click.echo(f"waiting for the warehouse {database}: {_holder(error)} has it open", err=True)
                announced = True
            time.sleep(0.2)


def is_lock_conflict(error: BaseException | str) -> bool:
    return "Could not set lock on file" in str(error) or "Conflicting lock" in str(error)


def _holder(error: BaseException | str) -> str:
    found = _LOCK_HOLDER.search(str(error))
    return f"process {found.group(2)} ({Path(found.group(1)).name})" if found else "another process"


def warehouse_problem(database: Path | str, error: BaseException | str) -> str:
    """A DuckDB error about the warehouse file, in the user's terms, on one line."""
    text = " ".join(str(error).split())
    if is_lock_conflict(error):
        return (
            f"the warehouse {database} is busy: {_holder(error)} has it open (another cdp load, build or export?); "
            "run this again when it has finished"
        )
    if "not a valid DuckDB database file" in text:
        return f"{database} is not a DuckDB warehouse (another kind of file, or damaged)"
    if "Permission denied" in text or "Read-only file system" in text:
        return f"cannot write to the warehouse {database} or its folder: permission denied (read-only?)"
    if any(sign in text for sign in ("Could not read enough bytes", "Corrupt database file", "checksum", "truncated")):
        return f"the warehouse {database} is damaged (truncated or corrupt): restore it from a backup, or remove it"
    return f"cannot use the warehouse {database}: {text}"


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None):
    """First column of the first row (duckdb 2.x relations have no fetchone)."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0][0] if rows else None


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: object) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def drop_temp_tables(con: duckdb.DuckDBPyConnection, prefix: str) -> None:
    """Drop the connection's temp tables whose names start with `prefix` and an underscore."""
    names = con.execute(
        "select table_name from duckdb_tables() where temporary and starts_with(table_name, ?)", [prefix + "_"]
    ).fetchall()
    for (name,) in names:
        con.execute(f"drop table temp.{quote_identifier(name)}")


def utc_now() -> dt.datetime:
    """The current time in UTC, naive, as the warehouse's timestamp columns hold it."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def plain_value(value: object) -> object:
    """A value read from the warehouse as JSON and CSV carry it: dates and times as ISO text, decimals as numbers."""
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value
