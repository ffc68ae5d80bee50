"""How many members of each segment an export to each destination would reach: the members who hold the consent the
destination's channel requires (the same condition `cdp export` applies, CHANNEL_CONSENT). `cdp segments` prints it
and the Audiences page of `cdp serve` shows it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from ..errors import UserError
from ..warehouse import connect
from .destinations import CHANNEL_CONSENT, load_destinations


def segment_reach(
    con: duckdb.DuckDBPyConnection, *, schema: str = "marts", destinations_file: Path | None = None
) -> list[dict[str, Any]]:
    """Per declared segment (audience_segments): its owner, members, and {destination: consenting members}."""
    destinations = load_destinations(destinations_file)
    channels = list(CHANNEL_CONSENT)
    counts = ", ".join(
        f"count(case when consent.{CHANNEL_CONSENT[channel]} then 1 end) as {channel}" for channel in channels
    )
    rows = con.execute(
        f"""
        select segments.segment_name, segments.segment_owner, count(membership.customer_id) as members, {counts}
        from {schema}.audience_segments as segments
        left join {schema}.segment_membership as membership on segments.segment_name = membership.segment_name
        left join {schema}.customer_consent as consent on membership.customer_id = consent.customer_id
        group by segments.segment_name, segments.segment_owner
        order by segments.segment_name
        """
    ).fetchall()
    reach = []
    for segment_name, owner, members, *by_channel in rows:
        consenting = dict(zip(channels, by_channel, strict=True))
        reach.append(
            {
                "segment_name": segment_name,
                "owner": owner,
                "members": members,
                "destinations": {name: consenting[destination.channel] for name, destination in destinations.items()},
            }
        )
    return reach


def read_reach(*, warehouse: str | Path | None = None, destinations_file: Path | None = None) -> list[dict[str, Any]]:
    """segment_reach of a built warehouse, opened read-only; a UserError when it is not built."""
    try:
        with connect(warehouse, read_only=True) as con:
            return segment_reach(con, destinations_file=destinations_file)
    except duckdb.CatalogException:
        raise UserError("the warehouse has no segments yet: run 'cdp build' first") from None
