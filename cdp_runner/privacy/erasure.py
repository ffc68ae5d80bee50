"""`cdp forget IDENTIFIER`: erase a person from the warehouse, and keep them out of every later load.

1. The identifier is resolved to a customer the way `cdp profile` resolves it (cdp_runner.lookup.customers).
2. The profile's identifiers (marts.identity_map) and source records (marts.identity_record_map) are hashed
   (keyed SHA-256, see `suppression.suppression_hash`) into suppression entries.
3. In one transaction: the suppression entries are written; every raw row that carries one of them is deleted
   (its key is one of the person's records or a child of one, or one of its identifier columns, normalised as
   staging normalises it, is one of the person's identifiers; unsplit rows are searched token by token);
   every row of every other table whose text columns hold the customer id, one of the identifier values or one
   of the record keys is deleted (incremental models, snapshots, state tables: whatever exists, found in the
   catalog, not listed); one audit row is written. A failure rolls all of it back.

The models computed from raw still hold the person until dbt rebuilds them: `cdp forget` rebuilds right after
(cdp_runner.pipeline.forget_person). The loader calls `suppression.suppression_filter` for every insert, so a
re-delivered file never brings them back.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from ..activation import state as export_state
from ..activation.destinations import load_destinations
from ..config import META_SCHEMA, RAW_SCHEMA
from ..errors import UserError
from ..identifiers import normalize_email, normalize_identifier
from ..lookup.customers import MARTS, find_match, require_marts
from ..warehouse import connect, drop_temp_tables, quote_identifier, scalar, utc_now
from .suppression import (
    IDENTIFIER_COLUMNS,
    KEY_TABLE,
    SUPPRESSION_TABLE,
    IdentifierColumn,
    erasure_key,
    matching_predicate,
    record_type,
    suppression_hash,
)

ERASURE_LOG_TABLE = f"{META_SCHEMA}.erasure_log"
# Tables the erasure itself writes, which the sweep of derived tables leaves alone: hashes only, never a plain value;
# and the erasure notices for export destinations, which hold a row's keys as the destination knows them (customer
# id, hashes), no more, until the next export tells the destination (cdp_runner/activation/state.py).
ERASURE_TABLES = {SUPPRESSION_TABLE, ERASURE_LOG_TABLE, KEY_TABLE, export_state.NOTICES_TABLE}


@dataclass
class ErasureResult:
    erasure_id: str
    matched_by: str  # the identifier type the input was found as (never its value)
    identifier_count: int
    record_count: int
    rows_removed: dict[str, int] = field(default_factory=dict)
    rebuilt: bool = False
    notices: dict[str, int] = field(default_factory=dict)  # destination: rows its next export tells it to delete

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
    require_marts(con)
    match = find_match(con, identifier)
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


def forget(identifier: str, *, warehouse: str | Path | None = None) -> ErasureResult:
    """Erase the person an identifier belongs to (module docstring); raises UserError, changing nothing, if the
    identifier matches no customer. The models are not rebuilt here."""
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
            drop_temp_tables(con, "_cdp_forget")
        # Writes the deletions from the write-ahead log into the database file now.
        con.execute("checkpoint")
    return result


def _erase(con: duckdb.DuckDBPyConnection, person: Person) -> ErasureResult:
    key = erasure_key(con)
    entries = {
        suppression_hash(key, identifier_type, value): identifier_type for identifier_type, value in person.identifiers
    }
    identifier_hashes = sorted(entries)
    entries.update(
        (suppression_hash(key, record_type(source_name), record_key), record_type(source_name))
        for source_name, record_key in person.records
    )
    erasure_id = str(uuid.uuid4())
    erased_at = utc_now()
    con.execute(
        f"""insert into {SUPPRESSION_TABLE} (identifier_hash, identifier_type, erasure_id, suppressed_at)
            select identifier_hash, identifier_type, ?, ? from (select unnest(?::varchar[]) as identifier_hash,
                                                                       unnest(?::varchar[]) as identifier_type)
            where identifier_hash not in (select identifier_hash from {SUPPRESSION_TABLE})""",
        [erasure_id, erased_at, list(entries), list(entries.values())],
    )
    hashes = set(entries)
    notices = _hold_erasure_notices(con, person.customer_id, erasure_id, erased_at)
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
        {
            person.customer_id,
            *(value for _, value in person.identifiers),
            *(key for _, key in person.records),
            *delivered,
        }
    )
    for table, quoted, text_columns in _derived_text_columns(con):
        condition = " or ".join(f"{quote_identifier(name)} in (select unnest(?::varchar[]))" for name in text_columns)
        removed[table] = scalar(con, f"delete from {quoted} where {condition}", [plain_values] * len(text_columns)) or 0
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
        notices=notices,
    )


def _hold_erasure_notices(
    con: duckdb.DuckDBPyConnection, customer_id: str, erasure_id: str, erased_at
) -> dict[str, int]:
    """Keys of the rows export destinations were sent about the person, kept for the next export to tell them. A
    state kept by an earlier cdp (rows as sent) is first turned into keys, with the declared destinations."""
    try:
        export_state.prepare(con, load_destinations())
    except UserError:
        pass  # no readable destinations file: a state in the old form cannot be turned into keys, and goes
    return export_state.hold_erasure_notices(con, customer_id, erasure_id, erased_at)


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
        name = quote_identifier(column.column)
        for (value,) in con.execute(
            f"select distinct {name} from {table} where ({condition}) and {name} is not null"
        ).fetchall():
            if (column.identifier_type, normalize_identifier(column.identifier_type, value)) in identifiers:
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
            yield name, f"{quote_identifier(schema)}.{quote_identifier(table)}", columns
