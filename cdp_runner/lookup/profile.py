"""`cdp profile IDENTIFIER`: the single customer view of one customer, found by any identifier (customers.py).

The profile shows the linked identities, the golden attributes with their sources, consent, traits, value, segments
(when marts.segment_membership exists) and the latest interactions, as one JSON-ready document.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ..errors import UserError
from ..identifiers import identifier_candidates
from ..ingest.contracts import IDENTIFIER_TYPES
from ..warehouse import connect, plain_value
from .customers import MARTS, Match, find_match, require_marts, table_exists

TIMELINE_LIMIT = 10
CONSENT_CHANNELS = ("email", "sms", "push", "advertising")

VALUE_COLUMNS = {
    "customer_rfm": ("rfm_cell", "rfm_segment"),
    "customer_ltv": ("net_revenue", "predicted_clv", "probability_alive"),
    "customer_churn_risk": ("churn_risk_band",),
    "customer_value_tier": ("value_tier",),
}


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict[str, Any]]:
    result = con.execute(sql, params)
    columns = [description[0] for description in result.description]
    return [
        {column: plain_value(value) for column, value in zip(columns, row, strict=True)} for row in result.fetchall()
    ]


def build_profile(
    con: duckdb.DuckDBPyConnection, match: Match, identifier: str, *, timeline_limit: int = TIMELINE_LIMIT
) -> dict[str, Any]:
    """The profile of one customer as a JSON-ready document whose keys are always present, in a fixed order."""
    customer_id = match.customer_id
    identities: dict[str, list[dict[str, Any]]] = {identifier_type: [] for identifier_type in IDENTIFIER_TYPES}
    for row in _rows(
        con,
        f"select identifier_type, identifier_value, kind, first_seen_at, last_seen_at, source_count "
        f"from {MARTS}.identity_map where customer_id = ? "
        "order by identifier_type, last_seen_at desc nulls last, identifier_value",
        [customer_id],
    ):
        identities.setdefault(row.pop("identifier_type"), []).append(
            {"value": row["identifier_value"], **{key: row[key] for key in row if key != "identifier_value"}}
        )

    sources = {
        row["source_name"]: row["record_count"]
        for row in _rows(
            con,
            f"select source_name, count(*) as record_count from {MARTS}.identity_record_map "
            "where customer_id = ? group by source_name order by count(*) desc, source_name",
            [customer_id],
        )
    }

    golden = _rows(con, f"select * from {MARTS}.dim_customers where customer_id = ?", [customer_id])
    golden_row = golden[0] if golden else {}
    attribute_names = [name for name in golden_row if f"{name}_source" in golden_row]
    attributes = {
        name: {
            "value": golden_row.get(name),
            "source": golden_row.get(f"{name}_source"),
            "observed_at": golden_row.get(f"{name}_observed_at"),
        }
        for name in attribute_names
    }
    if "age_years" in golden_row:
        attributes["age_years"] = {
            "value": golden_row["age_years"],
            "source": golden_row.get("birth_date_source"),
            "observed_at": golden_row.get("birth_date_observed_at"),
        }

    consent_rows = _rows(con, f"select * from {MARTS}.customer_consent where customer_id = ?", [customer_id])
    consent_row = consent_rows[0] if consent_rows else {}
    consent = {}
    for channel in CONSENT_CHANNELS:
        consent[channel] = {
            "opted_in": bool(consent_row.get(f"is_{channel}_opted_in")),
            "event": consent_row.get(f"{channel}_consent_event"),
            "source": consent_row.get(f"{channel}_consent_source"),
            "at": consent_row.get(f"{channel}_consent_at"),
            "last_withdrawn_at": consent_row.get(f"{channel}_last_withdrawn_at"),
            "contactable": bool(
                consent_row.get(f"is_{channel}_contactable", consent_row.get(f"is_{channel}_opted_in"))
            ),
        }
    consent["email"]["undeliverable"] = bool(consent_row.get("is_email_undeliverable"))
    consent["email"]["undeliverable_at"] = consent_row.get("email_undeliverable_at")

    trait_rows = _rows(con, f"select * from {MARTS}.customer_traits where customer_id = ?", [customer_id])
    traits = {key: value for key, value in (trait_rows[0] if trait_rows else {}).items() if key != "customer_id"}

    segments: list[dict[str, Any]] | None = None
    if table_exists(con, MARTS, "segment_membership"):
        columns = [row[0] for row in con.execute(f"describe {MARTS}.segment_membership").fetchall()]
        if "customer_id" in columns:
            order = next((column for column in ("segment_name", "segment_id") if column in columns), None)
            segments = [
                {key: value for key, value in row.items() if key != "customer_id"}
                for row in _rows(
                    con,
                    f"select * from {MARTS}.segment_membership where customer_id = ?"
                    + (f" order by {order}" if order else ""),
                    [customer_id],
                )
            ]

    # What the customer is worth and how likely they are to stay (the value marts, when built)
    value: dict[str, Any] = {}
    for table, value_columns in VALUE_COLUMNS.items():
        if table_exists(con, MARTS, table):
            found = _rows(
                con, f"select {', '.join(value_columns)} from {MARTS}.{table} where customer_id = ?", [customer_id]
            )
            value.update(found[0] if found else {})

    timeline = _rows(
        con,
        "select occurred_at, channel, source_name, event_type, description, record_key "
        f"from {MARTS}.customer_timeline where customer_id = ? "
        "order by occurred_at desc, source_name, record_key limit ?",
        [customer_id, timeline_limit],
    )

    return {
        "customer_id": customer_id,
        "matched": {
            "input": identifier,
            "identifier_type": match.identifier_type,
            "identifier_value": match.identifier_value,
        },
        "as_of_date": golden_row.get("as_of_date"),
        "sources": sources,
        "identities": identities,
        "attributes": attributes,
        "consent": consent,
        "traits": traits,
        "value": value,
        "segments_available": segments is not None,
        "segments": segments or [],
        "timeline": timeline,
    }


def customer_profile(
    identifier: str, *, warehouse: str | Path | None = None, timeline_limit: int = TIMELINE_LIMIT
) -> dict[str, Any]:
    """The profile document of the customer an identifier belongs to (keys: customer_id, matched, as_of_date, sources,
    identities, attributes, consent, traits, value, segments_available, segments, timeline); a UserError when no
    customer matches or the warehouse cannot be read."""
    try:
        with connect(warehouse, read_only=True) as con:
            require_marts(con)
            match = find_match(con, identifier)
            if match is None:
                tried = [f"{identifier_type} {value}" for identifier_type, value in identifier_candidates(identifier)]
                message = f"no customer found for {identifier!r}"
                if tried:
                    message += " (tried customer id, " + ", ".join(tried) + ")"
                raise UserError(message)
            return build_profile(con, match, identifier, timeline_limit=timeline_limit)
    except duckdb.Error as error:
        raise UserError("cannot read the warehouse: " + " ".join(str(error).split())) from None
