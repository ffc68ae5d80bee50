"""Finding the customer an identifier belongs to: the identifier is normalised the way staging normalises it, then
looked up as every identifier type it could be, in a fixed order of precedence, in marts.identity_map (or as a
customer id in marts.dim_customers). `cdp profile` and `cdp forget` resolve an identifier this way.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from ..errors import UserError
from ..identifiers import clean_string, identifier_candidates
from ..warehouse import connect

MARTS = "marts"
# The marts every look-up reads.
PROFILE_MARTS = (
    "identity_map",
    "identity_record_map",
    "dim_customers",
    "customer_consent",
    "customer_traits",
    "customer_timeline",
)


@dataclass(frozen=True)
class Match:
    customer_id: str
    identifier_type: str
    identifier_value: str


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchall()
    return bool(rows[0][0])


def require_marts(con: duckdb.DuckDBPyConnection) -> None:
    """A UserError naming the first mart a look-up reads that is not built."""
    missing = [table for table in PROFILE_MARTS if not table_exists(con, MARTS, table)]
    if missing:
        raise UserError(f"{MARTS}.{missing[0]} does not exist: run 'cdp build' first")


def find_match(con: duckdb.DuckDBPyConnection, identifier: str) -> Match | None:
    """The customer the identifier belongs to and what it was found as; None when nothing matches."""
    raw = clean_string(identifier)
    if raw is None:
        return None
    found = con.execute(f"select customer_id from {MARTS}.dim_customers where customer_id = ?", [raw]).fetchall()
    if found:
        return Match(found[0][0], "customer_id", raw)
    candidates = identifier_candidates(identifier)
    if not candidates:
        return None
    placeholders = ", ".join("(?, ?)" for _ in candidates)
    rows = con.execute(
        f"select identifier_type, identifier_value, customer_id from {MARTS}.identity_map "
        f"where customer_id is not null and (identifier_type, identifier_value) in ({placeholders}) "
        "order by customer_id",
        [part for candidate in candidates for part in candidate],
    ).fetchall()
    by_candidate = {(identifier_type, value): customer_id for identifier_type, value, customer_id in rows}
    for candidate in candidates:
        if candidate in by_candidate:
            return Match(by_candidate[candidate], *candidate)
    return None


def find_customer(identifier: str, *, warehouse: str | Path | None = None) -> str | None:
    """The customer_id an identifier (e-mail, phone, loyalty card, user id, anonymous id, device id, push token or
    customer id) belongs to; None when nothing matches."""
    with connect(warehouse, read_only=True) as con:
        require_marts(con)
        match = find_match(con, identifier)
    return match.customer_id if match else None
