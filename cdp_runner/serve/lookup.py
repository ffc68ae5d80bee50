"""The look-up the till, the service desk and the JSON API share: an identifier as a person types it (an e-mail in
any case, a phone in any common spelling, a loyalty card with or without spaces, a user, device or customer id) to
the customer's profile document, from the snapshot's maps (no SQL at request time).

The identifier is read the way `cdp profile` reads it (cdp_runner.identifiers.identifier_candidates): the same
normal forms, tried in the same order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..identifiers import clean_string, identifier_candidates
from .snapshot import Snapshot, identifier_key


@dataclass(frozen=True)
class Found:
    customer_id: str
    identifier_type: str  # what the input was found as (never echoed back into logs)


def find(snapshot: Snapshot, identifier: str) -> Found | None:
    """The customer an identifier belongs to; None when nothing matches."""
    raw = clean_string(identifier)
    if raw is None:
        return None
    if raw in snapshot.documents:
        return Found(raw, "customer_id")
    for identifier_type, value in identifier_candidates(raw):
        customer_id = snapshot.identifiers.get(identifier_key(identifier_type, value))
        if customer_id is not None:
            return Found(customer_id, identifier_type)
    return None


def profile(snapshot: Snapshot, customer_id: str) -> dict[str, Any] | None:
    """The profile document as a dict, for the page."""
    document = snapshot.document(customer_id)
    return json.loads(document) if document is not None else None
