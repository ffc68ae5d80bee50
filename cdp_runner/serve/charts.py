"""The pages' charts as Plotly figure specifications (plain dicts): the page embeds them as JSON and the plotly.js
that the app serves itself (from the plotly wheel, no CDN) draws them."""

from __future__ import annotations

from typing import Any

Figure = dict[str, Any]

LAYOUT: dict[str, Any] = {
    "margin": {"l": 60, "r": 20, "t": 40, "b": 50},
    "height": 320,
    "font": {"family": "system-ui, sans-serif", "size": 12},
    "paper_bgcolor": "rgba(0,0,0,0)",
    "plot_bgcolor": "rgba(0,0,0,0)",
}
TIER_ORDER = ["platinum", "gold", "silver", "bronze", "prospect"]
BAND_ORDER = ["low", "medium", "high", "lapsed", "never_purchased"]


def _figure(title: str, data: list[dict[str, Any]], **layout: Any) -> Figure:
    return {"data": data, "layout": {**LAYOUT, "title": {"text": title}, **layout}}


def _ordered(rows: list[dict[str, Any]], key: str, order: list[str]) -> list[dict[str, Any]]:
    rank = {name: index for index, name in enumerate(order)}
    return sorted(rows, key=lambda row: (rank.get(str(row[key]), len(order)), str(row[key])))


def bar(title: str, rows: list[dict[str, Any]], x: str, y: str, *, x_title: str = "", y_title: str = "") -> Figure:
    return _figure(
        title,
        [{"type": "bar", "x": [str(row[x]) for row in rows], "y": [row[y] for row in rows]}],
        xaxis={"title": {"text": x_title}, "type": "category"},
        yaxis={"title": {"text": y_title}},
    )


def horizontal_bar(title: str, rows: list[dict[str, Any]], y: str, x: str, *, x_title: str = "") -> Figure:
    """Bars across, longest names readable: one row per category, the first row on top."""
    return _figure(
        title,
        [{"type": "bar", "orientation": "h", "y": [str(row[y]) for row in rows], "x": [row[x] for row in rows]}],
        xaxis={"title": {"text": x_title}},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True},
        height=max(260, 80 + 30 * len(rows)),
    )


def rfm_grid(rows: list[dict[str, Any]]) -> Figure:
    """Customers per recency score (x) and frequency score (y), 1 to 5, with their average spend on hover."""
    counts = [[0] * 5 for _ in range(5)]
    spend = [[0.0] * 5 for _ in range(5)]
    for row in rows:
        recency, frequency = int(row["recency_score"]) - 1, int(row["frequency_score"]) - 1
        if 0 <= recency < 5 and 0 <= frequency < 5:
            counts[frequency][recency] = row["customers"]
            spend[frequency][recency] = round(float(row["average_monetary"] or 0), 2)
    return _figure(
        "RFM grid: customers by recency and frequency score",
        [
            {
                "type": "heatmap",
                "x": [1, 2, 3, 4, 5],
                "y": [1, 2, 3, 4, 5],
                "z": counts,
                "customdata": spend,
                "colorscale": "Blues",
                "reversescale": True,
                "hovertemplate": "recency %{x}, frequency %{y}: %{z} customers, average spend %{customdata}"
                "<extra></extra>",
                "texttemplate": "%{z}",
            }
        ],
        xaxis={"title": {"text": "recency score (5 = most recent)"}, "dtick": 1},
        yaxis={"title": {"text": "frequency score (5 = most often)"}, "dtick": 1},
        height=380,
    )


def histogram(title: str, bins: list[dict[str, Any]], *, x_title: str) -> Figure:
    return _figure(
        title,
        [
            {
                "type": "bar",
                "x": [(row["low"] + row["high"]) / 2 for row in bins],
                "width": [row["high"] - row["low"] for row in bins],
                "y": [row["customers"] for row in bins],
                "customdata": [f"{row['low']:,.0f} to {row['high']:,.0f}" for row in bins],
                "hovertemplate": "%{customdata}: %{y} customers<extra></extra>",
            }
        ],
        xaxis={"title": {"text": x_title}},
        yaxis={"title": {"text": "customers"}},
        bargap=0.05,
    )


def stacked(title: str, rows: list[dict[str, Any]], x: str, stack: str, y: str, *, horizontal: bool = False) -> Figure:
    """Bars of `y` by `x`, one trace per value of `stack`."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        groups.setdefault(str(row[stack]), {})[str(row[x])] = row[y]
    categories = sorted({str(row[x]) for row in rows})
    data = []
    for name, values in groups.items():
        points = [values.get(category, 0) for category in categories]
        trace = {"type": "bar", "name": name, "x": points, "y": categories, "orientation": "h"}
        if not horizontal:
            trace = {"type": "bar", "name": name, "x": categories, "y": points}
        data.append(trace)
    layout: dict[str, Any] = {"barmode": "stack"}
    if horizontal:
        layout |= {
            "height": max(320, 140 + 28 * len(categories) + 12 * len(groups)),
            "yaxis": {"automargin": True},
            "legend": {"orientation": "h", "y": -0.15},
        }
    return _figure(title, data, **layout)


def dashboard_charts(dashboard: dict[str, Any]) -> dict[str, Figure]:
    return {
        "rfm_grid": rfm_grid(dashboard["rfm_grid"]),
        "rfm_segments": horizontal_bar(
            "Buyers by RFM segment", dashboard["rfm_segments"], "rfm_segment", "customers", x_title="customers",
        ),
        "clv": histogram(
            f"Predicted lifetime value ({dashboard['clv_customers']:,} buyers)",
            dashboard["clv_histogram"],
            x_title="predicted customer lifetime value",
        ),
        "value_tiers": bar(
            "Customers by value tier", _ordered(dashboard["value_tiers"], "value_tier", TIER_ORDER), "value_tier",
            "customers",
        ),
        "churn_bands": bar(
            "Buyers by churn risk band", _ordered(dashboard["churn_bands"], "churn_risk_band", BAND_ORDER),
            "churn_risk_band", "customers",
        ),
        "profiles_by_sources": bar(
            "Profiles by number of sources", dashboard["profiles_by_sources"], "source_count", "customers",
            x_title="sources a profile's records come from", y_title="profiles",
        ),
        "identifiers": stacked(
            "Identifiers by kind and resolution", dashboard["identifiers_by_kind"], "kind", "resolution_status",
            "identifiers",
        ),
        "unresolved": horizontal_bar(
            "Unresolved records by reason", dashboard["unresolved"], "unresolved_reason", "records", x_title="records",
        ),
        "quarantine": stacked(
            "Rows quarantined by source and reason", dashboard["quarantine"], "source_name", "reason", "row_count",
            horizontal=True,
        ),
    }  # fmt: skip


def audience_charts(audiences: dict[str, Any]) -> dict[str, Figure]:
    segments = audiences["segments"]
    names = [row["segment_name"] for row in segments]
    shared = {(row["segment"], row["other_segment"]): row["customers"] for row in audiences["overlap"]}
    trend: dict[str, list[tuple[str, int]]] = {}
    for row in audiences["trend"]:
        trend.setdefault(row["segment_name"], []).append((row["recorded_at"], row["members"]))
    return {
        "sizes": horizontal_bar("Members per segment", segments, "segment_name", "member_count", x_title="members"),
        "trend": _figure(
            "Members per segment at each build",
            [
                {
                    "type": "scatter",
                    "mode": "lines+markers",
                    "name": name,
                    "x": [point[0] for point in points],
                    "y": [point[1] for point in points],
                }
                for name, points in sorted(trend.items())
            ],
            xaxis={"type": "date", "tickformat": "%Y-%m-%d %H:%M"},
            yaxis={"title": {"text": "members"}},
        ),
        "overlap": _figure(
            "Overlap: customers in both segments",
            [
                {
                    "type": "heatmap",
                    "x": names,
                    "y": names,
                    "z": [[shared.get((row, column), 0) for column in names] for row in names],
                    "colorscale": "Purples",
                    "texttemplate": "%{z}",
                    "hovertemplate": "%{y} and %{x}: %{z} customers<extra></extra>",
                }
            ],
            height=460,
            xaxis={"automargin": True},
            yaxis={"automargin": True, "autorange": "reversed"},
        ),
    }
