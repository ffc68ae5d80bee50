"""`cdp forget IDENTIFIER`: erase a person from the warehouse, and keep them out of every later load.

1. The identifier is resolved to a customer the way `cdp profile` resolves it (cdp_runner.profile).
2. The profile's identifiers (marts.identity_map) and source records (marts.identity_record_map) are hashed
   (keyed SHA-256, see `suppression_hash`) into suppression entries.
3. In one transaction: the suppression entries are written; every raw row that carries one of them is deleted
   (its key is one of the person's records or a child of one, or one of its identifier columns, normalised as
   staging normalises it, is one of the person's identifiers; unsplit rows are searched token by token);
   every row of every other table whose text columns hold the customer id, one of the identifier values or one
   of the record keys is deleted (incremental models, snapshots, state tables: whatever exists, found in the
   catalog, not listed); one audit row is written. A failure rolls all of it back.
4. dbt rebuilds the warehouse, so the models computed from raw are computed without the person.

The loader calls `suppression_filter` for every insert, so a re-delivered file never brings them back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import duckdb

from .config import META_SCHEMA, RAW_SCHEMA
from .contracts import SOURCES_BY_NAME
from .errors import UserError
from .profile import (
    MARTS,
    _find,
    _require_marts,
    canonical_email,
    clean_string,
    identifier_candidates,
    normalize_email,
    normalize_loyalty_card,
    normalize_phone,
)
from .warehouse import connect, scalar

SUPPRESSION_TABLE = f"{META_SCHEMA}.suppressed_identifiers"
ERASURE_LOG_TABLE = f"{META_SCHEMA}.erasure_log"
KEY_TABLE = f"{META_SCHEMA}.erasure_key"
# Tables the erasure itself writes: they hold hashes only, never a plain value.
ERASURE_TABLES = {SUPPRESSION_TABLE, ERASURE_LOG_TABLE, KEY_TABLE}


@dataclass(frozen=True)
class IdentifierColumn:
    """A raw column that carries an identifier: staging turns it into marker_<identifier_type>."""

    column: str
    identifier_type: str
    country_column: str | None = None  # phones without an international prefix take this row's country


def _record(source_name: str) -> str:
    """The suppression type of a source's record keys (also used by the lines that hang off a record)."""
    return f"record.{source_name}"


# The identity columns of each raw table, as the staging models read them (models/staging/*/stg_*.sql), plus
# each person-bearing source's key and the parent keys of the line tables. IP addresses are left out on purpose:
# identity never gives them to a customer (households and offices share them), so they are not the person's.
IDENTIFIER_COLUMNS: dict[str, tuple[IdentifierColumn, ...]] = {
    "web_events": (
        IdentifierColumn("anonymous_id", "anonymous_id"),
        IdentifierColumn("user_id", "user_id"),
        IdentifierColumn("email", "email"),
    ),
    "app_events": (
        IdentifierColumn("device_id", "device_id"),
        IdentifierColumn("app_user_id", "user_id"),
        IdentifierColumn("push_token", "push_token"),
    ),
    "shop_orders": (
        IdentifierColumn("user_id", "user_id"),
        IdentifierColumn("email", "email"),
        IdentifierColumn("phone", "phone", country_column="shipping_country"),
    ),
    "shop_order_lines": (IdentifierColumn("order_id", _record("shop_orders")),),
    "pos_transactions": (
        IdentifierColumn("transaction_id", "pos_transaction"),
        IdentifierColumn("loyalty_card_number", "loyalty_card"),
        IdentifierColumn("receipt_email", "email"),
    ),
    "pos_transaction_lines": (IdentifierColumn("transaction_id", "pos_transaction"),),
    "crm_customers": (
        IdentifierColumn("user_id", "user_id"),
        IdentifierColumn("email", "email"),
        IdentifierColumn("phone", "phone", country_column="country"),
    ),
    "loyalty_members": (
        IdentifierColumn("loyalty_card_number", "loyalty_card"),
        IdentifierColumn("email", "email"),
        IdentifierColumn("phone", "phone"),
    ),
    "email_events": (IdentifierColumn("email", "email"),),
    "messaging_sends": (IdentifierColumn("phone", "phone"), IdentifierColumn("push_token", "push_token")),
    "support_tickets": (
        IdentifierColumn("requester_email", "email"),
        IdentifierColumn("requester_phone", "phone"),
    ),
    "live_chats": (IdentifierColumn("anonymous_id", "anonymous_id"), IdentifierColumn("visitor_email", "email")),
    "qr_scans": (
        IdentifierColumn("anonymous_id", "anonymous_id"),
        IdentifierColumn("qr_code_id", "qr_code"),
        IdentifierColumn("transaction_id", "pos_transaction"),
    ),
}
IDENTIFIER_COLUMNS.update(
    (name, (*columns, IdentifierColumn(SOURCES_BY_NAME[name].key, _record(name))))
    for name, columns in list(IDENTIFIER_COLUMNS.items())
    if SOURCES_BY_NAME[name].has_person
)


def _normaliser(identifier_type: str) -> Callable[[str | None], str | None]:
    """The normalisation staging applies to an identifier of this type (profile.py mirrors the SQL macros)."""
    return {"email": canonical_email, "loyalty_card": normalize_loyalty_card}.get(identifier_type, clean_string)


def normalise(identifier_type: str, value: str | None, country: str | None = None) -> str | None:
    if identifier_type == "phone":
        return normalize_phone(value, clean_string(country))
    return _normaliser(identifier_type)(value)


# --- suppression hashes --------------------------------------------------------------------------------------


def erasure_key(con: duckdb.DuckDBPyConnection) -> bytes:
    """The warehouse's secret hashing key, made on first use and never changed (a new key would orphan every
    suppression entry made with the old one)."""
    key = scalar(con, f"select key_hex from {KEY_TABLE}")
    if key is None:
        key = secrets.token_hex(32)
        con.execute(f"insert into {KEY_TABLE} (key_hex, created_at) values (?, ?)", [key, _utc_now()])
    return bytes.fromhex(key)


def suppression_hash(key: bytes, identifier_type: str, value: str) -> str:
    """HMAC-SHA-256 of 'type:normalised value' under the warehouse key (docs/erasure.md: why keyed)."""
    return hmac.new(key, f"{identifier_type}:{value}".encode(), hashlib.sha256).hexdigest()


def suppressed_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute(f"select identifier_hash from {SUPPRESSION_TABLE}").fetchall()}


# --- finding rows that carry hashed identifiers ----------------------------------------------------------------


def _token_types(source_name: str) -> set[str]:
    return {column.identifier_type for column in IDENTIFIER_COLUMNS.get(source_name, ())}


def _raw_record_matches(key: bytes, hashes: set[str], source_name: str, text: str) -> bool:
    """Whether an unsplit record's text holds a hashed identifier: every field-like piece of it is tried as
    every identifier type it could be (as `cdp profile` tries what a user types) and as this source's keys."""
    types = _token_types(source_name)
    for token in re.split(r'[,;"{}\[\]\t\r\n]', text):
        piece = clean_string(token.strip().strip(":").strip())
        if piece is None:
            continue
        candidates = set(identifier_candidates(piece))
        candidates.update((identifier_type, piece) for identifier_type in types if identifier_type != "phone")
        if any(suppression_hash(key, *candidate) in hashes for candidate in candidates):
            return True
    return False


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def matching_predicate(
    con: duckdb.DuckDBPyConnection, source_name: str, relation: str, hashes: set[str], key: bytes, prefix: str
) -> str | None:
    """SQL condition over `relation`'s columns, true for the rows that carry one of `hashes`; None if none do.

    `relation` (a table name or a parenthesised query) is read once per identifier column, distinct values
    only: those are normalised and hashed in Python (with profile.py's normalisers), and the values that hash
    into `hashes` go to temp tables <prefix>_<n> the condition reads.
    """
    present = {row[0] for row in con.execute(f"select * from {relation} limit 0").description}
    conditions = []
    for index, column in enumerate(IDENTIFIER_COLUMNS.get(source_name, ())):
        if column.column not in present:
            continue
        country = column.country_column if column.country_column in present else None
        value_sql = _ident(column.column)
        if country:
            # a phone's normal form depends on the row's country: match (phone, country) pairs
            value_sql = f"{value_sql} || chr(31) || coalesce({_ident(country)}, '')"
            rows = con.execute(
                f"select distinct {_ident(column.column)}, {_ident(country)} from {relation} "
                f"where {_ident(column.column)} is not null"
            ).fetchall()
            matched = [
                f"{value}\x1f{row_country or ''}"
                for value, row_country in rows
                if _hashes_to(key, hashes, column.identifier_type, normalise("phone", value, row_country))
            ]
        else:
            rows = con.execute(
                f"select distinct {_ident(column.column)} from {relation} where {_ident(column.column)} is not null"
            ).fetchall()
            matched = [
                value
                for (value,) in rows
                if _hashes_to(key, hashes, column.identifier_type, normalise(column.identifier_type, value))
            ]
        if matched:
            conditions.append(_in_temp_table(con, f"{prefix}_{index}", value_sql, matched))
    if "_raw_record" in present:
        rows = con.execute(f"select distinct _raw_record from {relation} where _raw_record is not null").fetchall()
        matched = [text for (text,) in rows if _raw_record_matches(key, hashes, source_name, text)]
        if matched:
            conditions.append(_in_temp_table(con, f"{prefix}_raw_record", "_raw_record", matched))
    return " or ".join(conditions) if conditions else None


def _hashes_to(key: bytes, hashes: set[str], identifier_type: str, value: str | None) -> bool:
    return value is not None and suppression_hash(key, identifier_type, value) in hashes


def _in_temp_table(con: duckdb.DuckDBPyConnection, table: str, value_sql: str, values: list[str]) -> str:
    con.execute(f"create or replace temp table {table} as select unnest(?::varchar[]) as value", [values])
    return f"coalesce({value_sql} in (select value from {table}), false)"


def _drop_temp_tables(con: duckdb.DuckDBPyConnection, prefix: str) -> None:
    names = con.execute(
        "select table_name from duckdb_tables() where temporary and starts_with(table_name, ?)", [prefix + "_"]
    ).fetchall()
    for (name,) in names:
        con.execute(f"drop table temp.{_ident(name)}")


def suppression_filter(
    con: duckdb.DuckDBPyConnection, source_name: str, rows_sql: str, prefix: str
) -> tuple[str, str | None]:
    """The loader's erasure hook: (rows to insert, rows suppressed or None when there are none), two queries.

    With no suppression entries (the usual case) this costs one count and changes nothing. The temp tables
    it makes start with `prefix`, so the loader's clean-up drops them.
    """
    if not scalar(con, f"select count(*) from {SUPPRESSION_TABLE}"):
        return rows_sql, None
    hashes = suppressed_hashes(con)
    key = erasure_key(con)
    # The identifier columns are read once from the file into a temp table, not once per column.
    con.execute(f"create or replace temp table {prefix}_incoming as select * from ({rows_sql})")
    condition = matching_predicate(con, source_name, f"{prefix}_incoming", hashes, key, f"{prefix}_suppress")
    if condition is None:
        return f"select * from {prefix}_incoming", None
    return (
        f"select * from {prefix}_incoming where not ({condition})",
        f"select * from {prefix}_incoming where {condition}",
    )


# --- the erasure ---------------------------------------------------------------------------------------------


@dataclass
class ErasureResult:
    erasure_id: str
    matched_by: str  # the identifier type the input was found as (never its value)
    identifier_count: int
    record_count: int
    rows_removed: dict[str, int] = field(default_factory=dict)
    rebuilt: bool = False

    @property
    def total_rows_removed(self) -> int:
        return sum(self.rows_removed.values())


@dataclass(frozen=True)
class Person:
    customer_id: str
    matched_by: str
    identifiers: tuple[tuple[str, str], ...]  # (identifier_type, identifier_value)
    records: tuple[tuple[str, str], ...]  # (source_name, record_key)


def find_person(con: duckdb.DuckDBPyConnection, identifier: str) -> Person:
    """The customer an identifier belongs to, with every identifier and record of the profile; UserError if none."""
    _require_marts(con)
    match = _find(con, identifier)
    if match is None:
        raise UserError(f"no customer found for {identifier!r}: nothing was erased")
    identifiers = con.execute(
        f"select identifier_type, identifier_value from {MARTS}.identity_map where customer_id = ? order by all",
        [match.customer_id],
    ).fetchall()
    records = con.execute(
        f"select source_name, record_key from {MARTS}.identity_record_map where customer_id = ? order by all",
        [match.customer_id],
    ).fetchall()
    return Person(match.customer_id, match.identifier_type, tuple(identifiers), tuple(records))


def describe(identifier: str, *, warehouse: str | Path | None = None) -> Person:
    """What `forget` would erase (read only), for the confirmation prompt."""
    with connect(warehouse, read_only=True) as con:
        return find_person(con, identifier)


def forget(identifier: str, *, warehouse: str | Path | None = None, rebuild: bool = True) -> ErasureResult:
    """Erase the person an identifier belongs to (module docstring); raises UserError, changing nothing, if the
    identifier matches no customer."""
    with connect(warehouse) as con:
        person = find_person(con, identifier)
        con.execute("begin transaction")
        try:
            result = _erase(con, person)
            con.execute("commit")
        except BaseException:
            con.execute("rollback")
            raise
        finally:
            _drop_temp_tables(con, "_cdp_forget")
        # Writes the deletions from the write-ahead log into the database file now.
        con.execute("checkpoint")
    if rebuild:
        from .pipeline import build_warehouse

        try:
            build_warehouse(warehouse=warehouse)
        except UserError as error:
            raise UserError(
                f"the person was erased (erasure {result.erasure_id}), but the rebuild failed: {error.message}; "
                "run 'cdp build' again"
            ) from None
        result.rebuilt = True
    return result


def _erase(con: duckdb.DuckDBPyConnection, person: Person) -> ErasureResult:
    key = erasure_key(con)
    entries = {suppression_hash(key, identifier_type, value): identifier_type for identifier_type, value in person.identifiers}
    identifier_hashes = sorted(entries)
    entries.update(
        (suppression_hash(key, _record(source_name), record_key), _record(source_name))
        for source_name, record_key in person.records
    )
    erasure_id = str(uuid.uuid4())
    erased_at = _utc_now()
    con.execute(
        f"""insert into {SUPPRESSION_TABLE} (identifier_hash, identifier_type, erasure_id, suppressed_at)
            select identifier_hash, identifier_type, ?, ? from (select unnest(?::varchar[]) as identifier_hash,
                                                                       unnest(?::varchar[]) as identifier_type)
            where identifier_hash not in (select identifier_hash from {SUPPRESSION_TABLE})""",
        [erasure_id, erased_at, list(entries), list(entries.values())],
    )
    hashes = set(entries)
    removed: dict[str, int] = {}
    delivered: set[str] = set()
    for source_name, columns in IDENTIFIER_COLUMNS.items():
        table = f"{RAW_SCHEMA}.{source_name}"
        condition = matching_predicate(con, source_name, table, hashes, key, f"_cdp_forget_{source_name}")
        if condition:
            delivered |= _delivered_spellings(con, table, condition, columns, set(person.identifiers))
            removed[table] = scalar(con, f"delete from {table} where {condition}") or 0
    # Derived tables may keep an identifier as delivered or half-normalised (e.g. an e-mail address before its
    # canonical form), so the person's own spellings from their raw rows count too.
    plain_values = sorted(
        {person.customer_id, *(value for _, value in person.identifiers), *(key for _, key in person.records),
         *delivered}
    )
    for table, quoted, columns in _derived_text_columns(con):
        condition = " or ".join(f"{_ident(column)} in (select unnest(?::varchar[]))" for column in columns)
        removed[table] = scalar(con, f"delete from {quoted} where {condition}", [plain_values] * len(columns)) or 0
    removed = {table: count for table, count in sorted(removed.items()) if count}
    con.execute(
        f"""insert into {ERASURE_LOG_TABLE} (erasure_id, erased_at, matched_by, identifier_hashes,
                identifier_count, record_count, rows_removed, rows_removed_total)
            values (?, ?, ?, ?, ?, ?, ?, ?)""",
        [
            erasure_id,
            erased_at,
            person.matched_by,
            json.dumps(identifier_hashes),
            len(person.identifiers),
            len(person.records),
            json.dumps(removed, sort_keys=True),
            sum(removed.values()),
        ],
    )
    return ErasureResult(
        erasure_id=erasure_id,
        matched_by=person.matched_by,
        identifier_count=len(person.identifiers),
        record_count=len(person.records),
        rows_removed=removed,
    )


def _delivered_spellings(
    con: duckdb.DuckDBPyConnection,
    table: str,
    condition: str,
    columns: Iterable[IdentifierColumn],
    identifiers: set[tuple[str, str]],
) -> set[str]:
    """Every spelling of the person's identifiers in the raw rows about to be deleted: as delivered, trimmed,
    lower-cased and normalised, for the values that normalise to one of their identifiers (never someone else's)."""
    spellings: set[str] = set()
    for column in columns:
        if column.identifier_type.startswith("record.") or column.country_column:
            continue  # record keys are erased as they are; phones are matched in their E.164 form
        for (value,) in con.execute(
            f"select distinct {_ident(column.column)} from {table} where ({condition}) and {_ident(column.column)} is not null"
        ).fetchall():
            if (column.identifier_type, normalise(column.identifier_type, value)) in identifiers:
                spellings |= {value, value.strip(), value.strip().lower()}
                if column.identifier_type == "email":
                    spellings.add(normalize_email(value) or value)
    return spellings


def _derived_text_columns(con: duckdb.DuckDBPyConnection) -> Iterable[tuple[str, str, list[str]]]:
    """Every base table outside raw (and the erasure's own tables): its name, quoted name and text columns."""
    rows = con.execute(
        """select columns.table_schema, columns.table_name, list(columns.column_name order by columns.ordinal_position)
           from information_schema.columns as columns
           join information_schema.tables as tables
             on tables.table_catalog = columns.table_catalog and tables.table_schema = columns.table_schema
            and tables.table_name = columns.table_name
           where tables.table_type = 'BASE TABLE' and columns.table_catalog = current_database()
             and columns.table_schema <> ? and columns.data_type = 'VARCHAR'
           group by all order by all""",
        [RAW_SCHEMA],
    ).fetchall()
    for schema, table, columns in rows:
        name = f"{schema}.{table}"
        if name not in ERASURE_TABLES:
            yield name, f"{_ident(schema)}.{_ident(table)}", columns


def _utc_now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def print_erasure(result: ErasureResult) -> None:
    from rich.table import Table

    from .report import console

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
    console.print(
        "later loads skip this person's rows"
        + ("; the warehouse was rebuilt" if result.rebuilt else "; run 'cdp build' to recompute the models")
    )
