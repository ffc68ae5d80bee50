"""What `cdp profile` prints: the profile as tables, or as one JSON document."""

from __future__ import annotations

import json
import re
from typing import Any

import click
from rich.table import Table

from .terminal import console

# Identifier values shown per type in the text view (the JSON document has them all).
SHOWN_PER_TYPE = 5


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


def print_profile_json(document: dict[str, Any]) -> None:
    click.echo(json.dumps(document, indent=2, default=str))


def print_profile_error_json(message: str, identifier: str) -> None:
    """A failed look-up as a JSON document with an "error" key, for scripts that asked for JSON."""
    click.echo(json.dumps({"error": message, "identifier": identifier}, indent=2))
