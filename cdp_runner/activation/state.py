"""What the warehouse remembers of the exports: per destination and segment, for every row sent, its customer, a hash
of the row and the row's keys; and the erasure notices still to be sent. Never the row itself.

A destination finds a row again by its keys (docs/erasure.md): the customer id and the identifiers that were sent
hashed, as they were sent, and the identifiers sent raw (an e-mail address, a phone number) as their SHA-256, hashed
the way `hash: sha256` hashes them. That is what a removal carries in a diff export, and what an erasure notice
carries, so the state needs no raw personal data:

- `export_state` (destination, segment_name, customer_id, row_sha256, row_keys, built_at): the rows of the last
  export and of its baseline; a changed row has another row_sha256, so it is a removal plus an addition.
- `export_erasures` (destination, segment_name, row_keys, erasure_id, erased_at): filled by `cdp forget` from the
  person's export_state rows (which it then deletes), emptied by the next export of that segment to that
  destination, which tells the destination to delete them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import duckdb

from ..config import META_SCHEMA
from ..warehouse import plain_value, scalar
from .destinations import Destination, OutputColumn

STATE_TABLE = f"{META_SCHEMA}.export_state"
NOTICES_TABLE = f"{META_SCHEMA}.export_erasures"

STATE_DDL = f"""
create table if not exists {STATE_TABLE} (
    destination varchar not null,
    segment_name varchar not null,
    customer_id varchar not null,
    row_sha256 varchar not null,
    row_keys varchar not null,
    built_at timestamp not null
)
"""
NOTICES_DDL = f"""
create table if not exists {NOTICES_TABLE} (
    destination varchar not null,
    segment_name varchar not null,
    row_keys varchar not null,
    erasure_id varchar not null,
    erased_at timestamp not null
)
"""


def sha256_email(email: str | None) -> str | None:
    """SHA-256 hex of the e-mail lower-cased and trimmed (what advertising platforms match on)."""
    if email is None or not email.strip():
        return None
    return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()


def sha256_phone(phone: str | None) -> str | None:
    """SHA-256 hex of the phone in E.164 (+ and digits only); None when it is not E.164."""
    if phone is None:
        return None
    compact = re.sub(r"[\s().-]", "", phone)
    if not re.fullmatch(r"\+[1-9][0-9]{6,14}", compact):
        return None
    return hashlib.sha256(compact.encode("utf-8")).hexdigest()


HASHERS = {"email": sha256_email, "phone": sha256_phone}


def key_form(column: OutputColumn) -> str | None:
    """How a removal or an erasure notice carries the column: 'as sent', 'sha256' (of the raw value sent), or None
    (not a key: left empty)."""
    if not column.is_identifier:
        return None
    return "sha256" if column.source in HASHERS and column.hash is None else "as sent"


def row_keys(destination: Destination, row: tuple) -> tuple:
    """The row as a removal carries it: its keys (key_form), every other column empty."""
    keys = []
    for column, value in zip(destination.columns, row, strict=True):
        form = key_form(column)
        keys.append(None if form is None else HASHERS[column.source](value) if form == "sha256" else value)
    return tuple(keys)


def row_json(row: Iterable[object]) -> str:
    return json.dumps([plain_value(value) for value in row], ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class SentRow:
    customer_id: str
    row_sha256: str
    keys: tuple


def sent_row(customer_id: str, destination: Destination, row: tuple) -> SentRow:
    return SentRow(customer_id, hashlib.sha256(row_json(row).encode("utf-8")).hexdigest(), row_keys(destination, row))


def prepare(con: duckdb.DuckDBPyConnection, destinations: Mapping[str, Destination]) -> None:
    """Create the state tables; a state kept by an earlier cdp (rows as sent, raw personal data included) is turned
    into keys with the destinations' declarations, and the rows themselves dropped."""
    columns = {
        row[0]
        for row in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
            [META_SCHEMA, STATE_TABLE.split(".")[1]],
        ).fetchall()
    }
    if "row_json" in columns:
        old = con.execute(f"select destination, segment_name, customer_id, row_json, built_at from {STATE_TABLE}")
        kept = [
            (name, segment, customer_id, sent_row(customer_id, destinations[name], tuple(json.loads(text))), built)
            for name, segment, customer_id, text, built in old.fetchall()
            if name in destinations and len(json.loads(text)) == len(destinations[name].columns)
        ]
        con.execute(f"drop table {STATE_TABLE}")
        con.execute(STATE_DDL)
        _insert(con, [(name, segment, sent, built) for name, segment, _, sent, built in kept])
    con.execute(STATE_DDL)
    con.execute(NOTICES_DDL)


def baseline(con, destination: str, segment_name: str, build_time: dt.datetime) -> list[SentRow]:
    """Rows of the last export of this segment to this destination made from an earlier build: exporting the same
    build again diffs against the same baseline, so it rewrites the same file."""
    records = con.execute(
        f"""
        select customer_id, row_sha256, row_keys from {STATE_TABLE}
        where destination = ? and segment_name = ? and built_at = (
            select max(built_at) from {STATE_TABLE}
            where destination = ? and segment_name = ? and built_at < ?
        )
        """,
        [destination, segment_name, destination, segment_name, build_time],
    ).fetchall()
    return [SentRow(customer_id, sha, tuple(json.loads(keys))) for customer_id, sha, keys in records]


def pending_notices(con, destination: str, segment_name: str) -> list[tuple]:
    """The keys of the rows of people erased since this segment was last exported to this destination."""
    records = con.execute(
        f"select distinct row_keys from {NOTICES_TABLE} where destination = ? and segment_name = ?",
        [destination, segment_name],
    ).fetchall()
    return [tuple(json.loads(keys)) for (keys,) in records]


def save(con, destination: str, segment_name: str, build_time: dt.datetime, rows: list[SentRow]) -> None:
    """Keep this build's rows and the baseline they were compared with (older generations are dropped), and drop the
    erasure notices this export delivered; one transaction."""
    con.execute("begin transaction")
    try:
        con.execute(
            f"""
            delete from {STATE_TABLE}
            where destination = ? and segment_name = ? and (
                built_at = ? or built_at < coalesce((
                    select max(built_at) from {STATE_TABLE}
                    where destination = ? and segment_name = ? and built_at < ?
                ), ?)
            )
            """,
            [destination, segment_name, build_time, destination, segment_name, build_time, build_time],
        )
        _insert(con, [(destination, segment_name, row, build_time) for row in rows])
        con.execute(
            f"delete from {NOTICES_TABLE} where destination = ? and segment_name = ?", [destination, segment_name]
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise


def _insert(con, rows: list[tuple[str, str, SentRow, dt.datetime]]) -> None:
    if rows:
        ordered = sorted(
            (destination, segment, row.customer_id, row.row_sha256, row_json(row.keys), built)
            for destination, segment, row, built in rows
        )
        # One statement over one list per column (unnested side by side, in order): executemany binds its parameters
        # row by row, 2.7 s against 0.07 s for the 15,729 rows of one demo export.
        con.execute(
            f"insert into {STATE_TABLE} select unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::varchar[]), "
            "unnest(?::varchar[]), unnest(?::varchar[]), unnest(?::timestamp[])",
            [list(column) for column in zip(*ordered, strict=True)],
        )


def hold_erasure_notices(con, customer_id: str, erasure_id: str, erased_at: dt.datetime) -> dict[str, int]:
    """Before an erasure deletes a person's export state: one notice per row sent to a destination (its keys only),
    for the next export of that segment to tell the destination. {destination: notices}."""
    exists = scalar(
        con,
        "select count(*) from information_schema.columns where table_schema = ? and table_name = ? "
        "and column_name = 'row_keys'",
        [META_SCHEMA, STATE_TABLE.split(".")[1]],
    )
    if not exists:
        return {}
    con.execute(NOTICES_DDL)
    con.execute(
        f"""insert into {NOTICES_TABLE} (destination, segment_name, row_keys, erasure_id, erased_at)
            select distinct destination, segment_name, row_keys, ?, ? from {STATE_TABLE} where customer_id = ?""",
        [erasure_id, erased_at, customer_id],
    )
    return dict(
        con.execute(
            f"select destination, count(*) from {NOTICES_TABLE} where erasure_id = ? group by all order by all",
            [erasure_id],
        ).fetchall()
    )
