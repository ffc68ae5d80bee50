"""Suppression of erased people: keyed hashes of their identifiers and record keys (cdp_meta.suppressed_identifiers),
and the filter the loader applies to every insert, so that a re-delivered file never brings them back.

A raw row carries a suppressed identifier when one of its identifier columns, normalised as staging normalises it,
hashes to a suppression entry, or when its key (or a parent key, for line tables) is a suppressed record key.
Unsplit rows (`_raw_record`) are searched token by token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import duckdb

from ..config import META_SCHEMA
from ..identifiers import (
    PHONE_COUNTRY_CODES,
    clean_string,
    identifier_candidates,
    normalize_identifier,
    normalize_phone,
)
from ..ingest.contracts import SHARED_IDENTIFIER_TYPES, SOURCES, Source
from ..warehouse import quote_identifier, scalar, utc_now

SUPPRESSION_TABLE = f"{META_SCHEMA}.suppressed_identifiers"
KEY_TABLE = f"{META_SCHEMA}.erasure_key"


@dataclass(frozen=True)
class IdentifierColumn:
    """A raw column an erasure matches a person in: its values, normalised as staging normalises them, are of this
    identifier type, or record keys (`record.<source>`)."""

    column: str
    identifier_type: str
    country_column: str | None = None  # phones without an international prefix take this row's country


def record_type(source_name: str) -> str:
    """The suppression type of a source's record keys (also used by the lines that hang off a record)."""
    return f"record.{source_name}"


def identifier_columns(source: Source) -> tuple[IdentifierColumn, ...]:
    """The raw columns an erasure matches a person in (the contract's identifier columns, docs/erasure.md): those that
    carry an identifier type (but the shared ones, which identity never gives to a person), the parent keys of line
    tables, and the key of a person-bearing source."""
    columns = [
        IdentifierColumn(column.name, column.identifier, column.country_column)
        for column in source.columns
        if column.identifier and column.identifier not in SHARED_IDENTIFIER_TYPES
    ]
    columns += [IdentifierColumn(column.name, record_type(column.parent)) for column in source.columns if column.parent]
    if source.has_person:
        columns.append(IdentifierColumn(source.key, record_type(source.name)))
    return tuple(columns)


IDENTIFIER_COLUMNS = {source.name: columns for source in SOURCES if (columns := identifier_columns(source))}


# --- suppression hashes --------------------------------------------------------------------------------------


def erasure_key(con: duckdb.DuckDBPyConnection) -> bytes:
    """The warehouse's secret hashing key, made on first use and never changed (a new key would orphan every
    suppression entry made with the old one)."""
    key = scalar(con, f"select key_hex from {KEY_TABLE}")
    if key is None:
        key = secrets.token_hex(32)
        con.execute(f"insert into {KEY_TABLE} (key_hex, created_at) values (?, ?)", [key, utc_now()])
    return bytes.fromhex(key)


def suppression_hash(key: bytes, identifier_type: str, value: str) -> str:
    """HMAC-SHA-256 of 'type:normalised value' under the warehouse key (docs/erasure.md: why keyed)."""
    return hmac.new(key, f"{identifier_type}:{value}".encode(), hashlib.sha256).hexdigest()


def suppressed_hashes(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute(f"select identifier_hash from {SUPPRESSION_TABLE}").fetchall()}


# --- finding rows that carry hashed identifiers ----------------------------------------------------------------


def _token_types(source_name: str) -> set[str]:
    return {column.identifier_type for column in IDENTIFIER_COLUMNS.get(source_name, ())}


# An unsplit record is text: its fields (CSV or JSON punctuation between them), the words of each field, and the
# e-mail addresses and phone numbers written anywhere in it ("Katherine <k@x.com>", "call +44 7700 900123").
_FIELD_SEPARATORS = re.compile(r'[,;"{}\[\]\t\r\n]')
_WORD_SEPARATORS = re.compile(r"[\s<>()'|=]+")
_EMAILS = re.compile(r"[^\s<>()\[\]{}\"',;:|=]+@[^\s<>()\[\]{}\"',;:|=]+")
_PHONE_SHAPED = re.compile(r"[0-9 ().+-]+")
_PHONES = re.compile(r"(?<!\w)\+?[0-9(][0-9 ().-]{5,}[0-9](?!\w)")


def text_pieces(text: str) -> set[str]:
    """Every piece of free text an identifier may be: fields, their words, and e-mail- and phone-shaped runs."""
    pieces: set[str] = set()
    for field in _FIELD_SEPARATORS.split(text):
        field = field.strip().strip(":").strip()
        pieces.add(field)
        pieces.update(word.strip(".:!?") for word in _WORD_SEPARATORS.split(field))
    pieces.update(match.strip(".") for match in _EMAILS.findall(text))
    pieces.update(_PHONES.findall(text))
    pieces.discard("")
    return pieces


def _raw_record_matches(key: bytes, hashes: set[str], source_name: str, text: str) -> bool:
    """Whether an unsplit record's text holds a hashed identifier: every piece of it (text_pieces) is tried as every
    identifier type it could be (as `cdp profile` tries what a user types) and as this source's keys."""
    types = _token_types(source_name)
    for token in text_pieces(text):
        piece = clean_string(token)
        if piece is None:
            continue
        candidates = set(identifier_candidates(piece))
        candidates.update((identifier_type, piece) for identifier_type in types if identifier_type != "phone")
        if _PHONE_SHAPED.fullmatch(piece):
            # a national number in free text: its country is unknown, so every country cdp knows is tried
            candidates.update(
                ("phone", phone) for country in PHONE_COUNTRY_CODES if (phone := normalize_phone(piece, country))
            )
        if any(suppression_hash(key, *candidate) in hashes for candidate in candidates):
            return True
    return False


def matching_predicate(
    con: duckdb.DuckDBPyConnection, source_name: str, relation: str, hashes: set[str], key: bytes, prefix: str
) -> str | None:
    """SQL condition over `relation`'s columns, true for the rows that carry one of `hashes`; None if none do.

    `relation` (a table name or a parenthesised query) is read once per identifier column, distinct values
    only: those are normalised and hashed in Python (with the normalisers of identifiers.py), and the values that hash
    into `hashes` go to temp tables <prefix>_<n> the condition reads.
    """
    present = {row[0] for row in con.execute(f"select * from {relation} limit 0").description}
    conditions = []
    for index, column in enumerate(IDENTIFIER_COLUMNS.get(source_name, ())):
        if column.column not in present:
            continue
        country = column.country_column if column.country_column in present else None
        value_sql = quote_identifier(column.column)
        if country:
            # a phone's normal form depends on the row's country: match (phone, country) pairs
            value_sql = f"{value_sql} || chr(31) || coalesce({quote_identifier(country)}, '')"
            rows = con.execute(
                f"select distinct {quote_identifier(column.column)}, {quote_identifier(country)} from {relation} "
                f"where {quote_identifier(column.column)} is not null"
            ).fetchall()
            matched = [
                f"{value}\x1f{row_country or ''}"
                for value, row_country in rows
                if _hashes_to(key, hashes, column.identifier_type, normalize_identifier("phone", value, row_country))
            ]
        else:
            name = quote_identifier(column.column)
            rows = con.execute(f"select distinct {name} from {relation} where {name} is not null").fetchall()
            matched = [
                value
                for (value,) in rows
                if _hashes_to(key, hashes, column.identifier_type, normalize_identifier(column.identifier_type, value))
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
