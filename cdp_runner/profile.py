"""`cdp profile IDENTIFIER`: the single customer view of one customer, found by any identifier.

The identifier is normalised the way staging normalises it (the Python functions below mirror the SQL macros in
macros/normalize/, and tests/python/test_profile.py checks that both agree on seeds/test_cases/), then looked up as
every identifier type it could be, in a fixed order of precedence, in marts.identity_map (or as a customer id in
marts.dim_customers). The profile shows the linked identities, the golden attributes with their sources, consent,
traits, segments (when marts.segment_membership exists) and the latest interactions.
"""

from __future__ import annotations

import datetime as _dt
import decimal
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import click
import duckdb

from .config import PROJECT_DIR
from .errors import UserError
from .warehouse import connect

MARTS = "marts"
TIMELINE_LIMIT = 10
IDENTIFIER_TYPES = (
    "email",
    "phone",
    "user_id",
    "anonymous_id",
    "device_id",
    "loyalty_card",
    "ip_address",
    "push_token",
    "qr_code",
    "pos_transaction",
)
CONSENT_CHANNELS = ("email", "sms", "push", "advertising")
# Identifier values shown per type in the text view (the JSON document has them all).
SHOWN_PER_TYPE = 5

# --------------------------------------------------------------------------------------------------------------
# Normalisation: mirrors of macros/normalize/*.sql. Keep them in step: test_profile.py compares both.
# --------------------------------------------------------------------------------------------------------------

# calling code and national trunk prefix per country, as cdp_phone_country_codes()
PHONE_COUNTRY_CODES: dict[str, tuple[str, str]] = {
    "GB": ("44", "0"), "IE": ("353", "0"), "FR": ("33", "0"), "DE": ("49", "0"), "NL": ("31", "0"),
    "BE": ("32", "0"), "ES": ("34", ""), "IT": ("39", ""), "PT": ("351", ""), "SE": ("46", "0"),
    "US": ("1", "1"), "CA": ("1", "1"), "AU": ("61", "0"), "NZ": ("64", "0"),
}  # fmt: skip
_EMAIL_SHAPE = re.compile(r"^[^@ ]+@[^@ ]+[.][a-z]{2,}\Z")
_E164_SHAPE = re.compile(r"^[+][1-9][0-9]{8,14}\Z")
_WHITESPACE = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\u00a0": " "})


@lru_cache(maxsize=1)
def default_country() -> str:
    """vars.cdp_default_country of dbt_project.yml (GB when unset), as the SQL macros read it."""
    import yaml

    try:
        project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text()) or {}
    except OSError:
        project = {}
    return str((project.get("vars") or {}).get("cdp_default_country") or "GB").upper()


def trim_whitespace(text: str | None) -> str | None:
    """cdp_trim_whitespace: tabs, line breaks and no-break spaces become spaces, then spaces are trimmed."""
    if text is None:
        return None
    return text.translate(_WHITESPACE).strip(" ")


def clean_string(text: str | None) -> str | None:
    """cdp_clean_string: trimmed text; empty, 'null' and 'nan' become None."""
    trimmed = trim_whitespace(text)
    if trimmed is None or trimmed.lower() in ("", "null", "nan"):
        return None
    return trimmed


def normalize_email(text: str | None) -> str | None:
    """cdp_normalize_email: the deliverable address, lower-cased; None when not shaped like an address."""
    trimmed = trim_whitespace(text)
    if trimmed is None:
        return None
    lowered = trimmed.lower()
    return lowered if _EMAIL_SHAPE.search(lowered) else None


def canonical_email(text: str | None) -> str | None:
    """cdp_canonical_email: the identity form (no +tag; for Gmail no dots and googlemail folded into gmail)."""
    address = normalize_email(text)
    if address is None:
        return None
    local_part = address.split("@")[0].split("+")[0]
    domain = address.split("@")[1]
    if local_part == "":
        return None
    if domain in ("gmail.com", "googlemail.com"):
        return local_part.replace(".", "") + "@gmail.com"
    return f"{local_part}@{domain}"


def normalize_phone(text: str | None, country: str | None = None, default: str | None = None) -> str | None:
    """cdp_normalize_phone: E.164, a number without international prefix taking the calling code of `country`
    (when known) else of `default` (else vars.cdp_default_country); None when not a plausible number."""
    fallback = (default or default_country()).upper()
    if fallback not in PHONE_COUNTRY_CODES:
        raise ValueError(f"unsupported default country {fallback!r}")
    if text is None:
        return None
    row_country = country.strip(" ").upper() if country is not None else None
    calling_code, trunk_prefix = PHONE_COUNTRY_CODES.get(row_country or "", PHONE_COUNTRY_CODES[fallback])
    dialled = re.sub(r"[^0-9+]", "", text.replace("(0)", ""))
    if dialled.startswith("+"):
        candidate = dialled
    elif dialled.startswith("00"):
        candidate = "+" + dialled[2:]
    elif trunk_prefix and dialled.startswith(trunk_prefix):
        candidate = "+" + calling_code + dialled[len(trunk_prefix):]
    elif dialled:
        candidate = "+" + calling_code + dialled
    else:
        return None
    return candidate if _E164_SHAPE.search(candidate) else None


def normalize_loyalty_card(text: str | None) -> str | None:
    """cdp_normalize_loyalty_card: upper case without separators; None when nothing is left."""
    cleaned = clean_string(text)
    if cleaned is None:
        return None
    compact = re.sub(r"[^0-9A-Za-z]", "", cleaned).upper()
    return compact or None


def identifier_candidates(identifier: str) -> list[tuple[str, str]]:
    """Every (identifier_type, normalised value) the input could be, in the order they are tried: the most
    specific first, a phone number (which almost any digit string could be) after the ids."""
    candidates: list[tuple[str, str]] = []
    raw = clean_string(identifier)
    if raw is None:
        return candidates

    def add(identifier_type: str, value: str | None) -> None:
        if value and (identifier_type, value) not in candidates:
            candidates.append((identifier_type, value))

    if "@" in raw:
        # only an e-mail address contains an @ (no other identifier type does)
        add("email", canonical_email(raw))
        return candidates
    add("user_id", raw)
    add("loyalty_card", normalize_loyalty_card(raw))
    if re.search(r"[0-9]", raw) and not re.search(r"[A-Za-z]", raw):
        add("phone", normalize_phone(raw))
    add("anonymous_id", raw)
    add("device_id", raw)
    add("push_token", raw)
    return candidates


# --------------------------------------------------------------------------------------------------------------
# Look-ups
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Match:
    customer_id: str
    identifier_type: str
    identifier_value: str


VALUE_COLUMNS = {
    "customer_rfm": ("rfm_cell", "rfm_segment"),
    "customer_ltv": ("net_revenue", "predicted_clv", "probability_alive"),
    "customer_churn_risk": ("churn_risk_band",),
    "customer_value_tier": ("value_tier",),
}


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    rows = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchall()
    return bool(rows[0][0])


def _require_marts(con: duckdb.DuckDBPyConnection) -> None:
    missing = [
        table
        for table in (
            "identity_map", "identity_record_map", "dim_customers", "customer_consent", "customer_traits",
            "customer_timeline",
        )
        if not _table_exists(con, MARTS, table)
    ]
    if missing:
        raise UserError(f"{MARTS}.{missing[0]} does not exist: run 'cdp build' first")


def _find(con: duckdb.DuckDBPyConnection, identifier: str) -> Match | None:
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
        _require_marts(con)
        match = _find(con, identifier)
    return match.customer_id if match else None


# --------------------------------------------------------------------------------------------------------------
# The profile document
# --------------------------------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON-ready value: ISO dates and times, floats for decimals."""
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    return value


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> list[dict[str, Any]]:
    result = con.execute(sql, params)
    columns = [description[0] for description in result.description]
    return [{column: _plain(value) for column, value in zip(columns, row)} for row in result.fetchall()]


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
    if _table_exists(con, MARTS, "segment_membership"):
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
    for table, columns in VALUE_COLUMNS.items():
        if _table_exists(con, MARTS, table):
            found = _rows(con, f"select {', '.join(columns)} from {MARTS}.{table} where customer_id = ?", [customer_id])
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


# --------------------------------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, str) and re.match(r"^\d{4}-\d\d-\d\dT", value):
        return value.replace("T", " ")
    return str(value)


def print_profile(document: dict[str, Any]) -> None:
    from rich.table import Table

    from .report import console

    matched = document["matched"]
    console.rule(f"customer {document['customer_id']}")
    console.print(
        f"found by {matched['identifier_type']} {matched['identifier_value']}"
        + (f"  (as of {document['as_of_date']})" if document.get("as_of_date") else "")
    )

    identities = Table(title="Linked identities", show_edge=False, title_justify="left")
    for column in ("type", "count", "values (most recent first)"):
        identities.add_column(column, justify="right" if column == "count" else "left")
    for identifier_type, entries in document["identities"].items():
        if not entries:
            continue
        values = ", ".join(entry["value"] for entry in entries[:SHOWN_PER_TYPE])
        if len(entries) > SHOWN_PER_TYPE:
            values += f" (+{len(entries) - SHOWN_PER_TYPE} more)"
        identities.add_row(identifier_type, str(len(entries)), values)
    console.print(identities)
    if document["sources"]:
        console.print(
            f"Records in {len(document['sources'])} sources: "
            + ", ".join(f"{source} ({count:,})" for source, count in document["sources"].items())
        )

    attributes = Table(title="Golden attributes", show_edge=False, title_justify="left")
    for column in ("attribute", "value", "source", "observed at"):
        attributes.add_column(column)
    for name, attribute in document["attributes"].items():
        attributes.add_row(name, _text(attribute["value"]), _text(attribute["source"]), _text(attribute["observed_at"]))
    console.print(attributes)

    consent = Table(title="Consent", show_edge=False, title_justify="left")
    for column in ("channel", "opted in", "contactable", "evidence", "source", "at"):
        consent.add_column(column)
    for channel, flags in document["consent"].items():
        contactable = _text(flags["contactable"])
        if flags.get("undeliverable"):
            contactable += " (address undeliverable)"
        consent.add_row(
            channel,
            _text(flags["opted_in"]),
            contactable,
            _text(flags["event"]),
            _text(flags["source"]),
            _text(flags["at"]),
        )
    console.print(consent)

    traits = document["traits"]
    key_traits = [
        ("first / last seen", f"{_text(traits.get('first_seen_at'))} / {_text(traits.get('last_seen_at'))}"),
        ("channels used", _text(traits.get("channels_used"))),
        ("devices, sessions", f"{_text(traits.get('device_count'))}, {_text(traits.get('session_count'))}"),
        ("logins per week (4 / 12 weeks)",
         f"{_text(traits.get('logins_per_week_4w'))} / {_text(traits.get('logins_per_week_12w'))}"),
        ("products viewed / carted / bought", " / ".join(
            _text(traits.get(key))
            for key in ("products_viewed_count", "products_carted_count", "products_bought_count")
        )),
        ("orders online / store purchases",
         f"{_text(traits.get('online_order_count'))} / {_text(traits.get('store_purchase_count'))}"),
        ("favourite categories", _text(traits.get("top_categories"))),
        ("favourite brand (share of units)",
         f"{_text(traits.get('favourite_brand'))} ({_text(traits.get('brand_loyalty_share'))})"),
        ("preferred store", _text(traits.get("preferred_store_name"))),
        ("e-mail open / click rate",
         f"{_text(traits.get('email_open_rate'))} / {_text(traits.get('email_click_rate'))}"),
        ("preferred contact channel", _text(traits.get("preferred_contact_channel"))),
        ("support tickets / chats (satisfaction)",
         f"{_text(traits.get('support_ticket_count'))} / {_text(traits.get('live_chat_count'))} "
         f"({_text(traits.get('avg_support_satisfaction'))})"),
        ("abandoned carts", _text(traits.get("abandoned_cart_count"))),
        ("online to offline", _text(traits.get("is_online_to_offline_shopper"))),
    ]  # fmt: skip
    trait_table = Table(title="Key traits", show_edge=False, title_justify="left")
    trait_table.add_column("trait")
    trait_table.add_column("value")
    for name, value in key_traits:
        trait_table.add_row(name, value)
    console.print(trait_table)

    if document["value"]:
        value = document["value"]
        console.print(
            f"Value: RFM {_text(value.get('rfm_cell'))} {_text(value.get('rfm_segment'))}; "
            f"net revenue {_text(value.get('net_revenue'))}; predicted CLV {_text(value.get('predicted_clv'))}; "
            f"probability alive {_text(value.get('probability_alive'))}; churn risk "
            f"{_text(value.get('churn_risk_band'))}; value tier {_text(value.get('value_tier'))}"
        )

    if not document["segments_available"]:
        console.print("Segments: none defined yet (marts.segment_membership does not exist)")
    elif not document["segments"]:
        console.print("Segments: member of none")
    else:
        names = [
            str(segment.get("segment_name") or segment.get("segment_id") or segment) for segment in document["segments"]
        ]
        console.print("Segments: " + ", ".join(names))

    timeline = Table(title=f"Latest interactions ({len(document['timeline'])})", show_edge=False, title_justify="left")
    for column in ("when", "channel", "source", "what"):
        timeline.add_column(column)
    for event in document["timeline"]:
        timeline.add_row(
            _text(event["occurred_at"]), event["channel"], event["source_name"], event["description"] or ""
        )
    console.print(timeline)


def show_profile(
    identifier: str,
    *,
    warehouse: str | Path | None = None,
    as_json: bool = False,
    timeline_limit: int = TIMELINE_LIMIT,
) -> int:
    """Print the single customer view for an identifier; returns the exit code (0 found, 1 not found or no marts).

    With as_json the output is one JSON document (keys: customer_id, matched, as_of_date, sources, identities,
    attributes, consent, traits, segments_available, segments, timeline); a failure is a JSON document with an
    "error" key.
    """
    try:
        with connect(warehouse, read_only=True) as con:
            _require_marts(con)
            match = _find(con, identifier)
            if match is None:
                tried = [f"{identifier_type} {value}" for identifier_type, value in identifier_candidates(identifier)]
                message = f"no customer found for {identifier!r}"
                if tried:
                    message += " (tried customer id, " + ", ".join(tried) + ")"
                raise UserError(message)
            document = build_profile(con, match, identifier, timeline_limit=timeline_limit)
    except (UserError, duckdb.Error) as error:
        if isinstance(error, UserError):
            message = error.message
        else:
            message = "cannot read the warehouse: " + " ".join(str(error).split())
        if as_json:
            click.echo(json.dumps({"error": message, "identifier": identifier}, indent=2))
        else:
            click.echo(f"Error: {message}", err=True)
        return 1
    if as_json:
        click.echo(json.dumps(document, indent=2, default=str))
    else:
        print_profile(document)
    return 0


if __name__ == "__main__":  # pragma: no cover - handy before the lead wires `cdp profile`
    sys.exit(show_profile(sys.argv[1], as_json="--json" in sys.argv[2:]))
