"""What the pages show, copied out of the warehouse into memory in one short read-only visit.

DuckDB lets one process write a database file, and a reader holds a lock that keeps writers out: were the app to keep
the warehouse open, `cdp load` and `cdp build` could not run. So the app attaches the warehouse read-only, copies
what it needs into an in-memory database, detaches, and only then prepares the look-up structures and the aggregates:
the file is held for the copy alone (seconds at 100,000 customers). SnapshotHolder refreshes the copy when the file
changes and has been quiet for a while; a refresh that finds the file locked (a build running) keeps the previous copy.

Look-ups need no SQL at request time: every customer's profile is one JSON document, written by DuckDB during the
copy, kept zlib-compressed in a dict by customer id, and every identifier points to its customer in another dict.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from ..activation.reach import segment_reach
from ..lookup.customers import PROFILE_MARTS
from ..lookup.profile import CONSENT_CHANNELS, VALUE_COLUMNS
from ..warehouse import plain_value, quote_identifier, quote_literal

# The most recent interactions kept per customer (the timeline of the look-up page).
TIMELINE_LIMIT = 25
# Documents are written a chunk of customers at a time, about this many identifiers' worth each.
CHUNK_IDENTIFIERS = 50_000
WAREHOUSE = "wh"
REQUIRED_TABLES = (
    *PROFILE_MARTS,
    "customer_rfm",
    "customer_ltv",
    "customer_churn_risk",
    "customer_value_tier",
    "customer_recommendations",
    "audience_segments",
    "segment_membership",
)


class WarehouseNotReady(Exception):
    """The warehouse cannot be copied (missing, locked by a writer, or not built): the message says which."""


@dataclass
class Snapshot:
    """One consistent copy of the warehouse: look-up maps, compressed profile documents and page aggregates."""

    warehouse: Path
    taken_at: dt.datetime
    copy_seconds: float  # how long the warehouse file was held
    prepare_seconds: float  # then, the documents and look-up maps built from the copy
    file_mtime: float
    identifiers: dict[str, str]  # "type\x1fvalue" -> customer_id
    documents: dict[str, bytes]  # customer_id -> zlib(JSON document)
    dashboard: dict[str, Any] = field(default_factory=dict)
    audiences: dict[str, Any] = field(default_factory=dict)

    def document(self, customer_id: str) -> bytes | None:
        """The customer's profile as JSON bytes; None for an unknown customer id."""
        packed = self.documents.get(customer_id)
        return zlib.decompress(packed) if packed is not None else None

    @property
    def customers(self) -> int:
        return len(self.documents)


def identifier_key(identifier_type: str, value: str) -> str:
    return f"{identifier_type}\x1f{value}"


def take_snapshot(warehouse: Path, *, timeline_limit: int = TIMELINE_LIMIT) -> Snapshot:
    """Copy the warehouse's marts into memory; WarehouseNotReady when it cannot be read now."""
    if not warehouse.exists():
        raise WarehouseNotReady(f"no warehouse at {warehouse}: run 'cdp load' and 'cdp build' first")
    started = time.monotonic()
    mtime = warehouse.stat().st_mtime
    con = duckdb.connect(":memory:")
    con.execute("set enable_progress_bar = false")
    try:
        try:
            con.execute(f"attach {quote_literal(warehouse)} as {WAREHOUSE} (read_only)")
        except duckdb.Error as error:
            raise WarehouseNotReady(
                "the warehouse is in use by a writer (a load or build?): " + " ".join(str(error).split())
            ) from None
        try:
            _require_tables(con)
            columns = _copy(con)
            dashboard = _dashboard(con)
            audiences = _audiences(con)
        finally:
            con.execute(f"detach {WAREHOUSE}")
        copy_seconds = time.monotonic() - started
        # From here on the warehouse is free: the rest works on the in-memory copy.
        identifiers = {
            identifier_key(identifier_type, value): customer_id
            for identifier_type, value, customer_id in con.execute(
                "select identifier_type, identifier_value, customer_id from copy_identifiers"
            ).fetchall()
        }
        document_sql = _document_query(con, columns, timeline_limit)
        chunks = max(1, len(identifiers) // CHUNK_IDENTIFIERS)
        documents: dict[str, bytes] = {}
        for chunk in range(chunks):
            for customer_id, document in con.execute(document_sql, [chunks, chunk]).fetchall():
                documents[customer_id] = zlib.compress(document.encode("utf-8"), 1)
    finally:
        con.close()
    return Snapshot(
        warehouse=warehouse,
        taken_at=dt.datetime.now(dt.timezone.utc).replace(microsecond=0),
        copy_seconds=copy_seconds,
        prepare_seconds=time.monotonic() - started - copy_seconds,
        file_mtime=mtime,
        identifiers=identifiers,
        documents=documents,
        dashboard=dashboard,
        audiences=audiences,
    )


def _require_tables(con: duckdb.DuckDBPyConnection) -> None:
    present = {
        row[0]
        for row in con.execute(
            "select distinct table_name from duckdb_columns() where database_name = ? and schema_name = 'marts'",
            [WAREHOUSE],
        ).fetchall()
    }
    missing = [table for table in REQUIRED_TABLES if table not in present]
    if missing:
        raise WarehouseNotReady(f"marts.{missing[0]} does not exist: run 'cdp build' first")


def _columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select column_name from duckdb_columns() where database_name = ? and schema_name = ? and table_name = ? "
            "order by column_index",
            [WAREHOUSE, schema, table],
        ).fetchall()
    ]


def _table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(_columns(con, schema, table))


def _mart(table: str) -> str:
    return f"{WAREHOUSE}.marts.{table}"


def _json_object(pairs: list[tuple[str, str]]) -> str:
    """SQL building a JSON object from (key, SQL expression) pairs; keys are our own constants or catalog names."""
    return "json_object(" + ", ".join(f"{quote_literal(key)}, {expression}" for key, expression in pairs) + ")"


def _value_columns() -> dict[str, list[str]]:
    """The value marts' columns a profile shows, by mart: those of `cdp profile`, and the churn driver and score."""
    value_columns = {table: list(columns) for table, columns in VALUE_COLUMNS.items()}
    value_columns["customer_churn_risk"].append("churn_risk_driver")
    value_columns["customer_value_tier"].append("value_score")
    return value_columns


def _copy(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Copy what the profile documents need into in-memory tables (copy_*), while the warehouse is attached; returns
    the columns of the copied tables whose columns vary (dim_customers, customer_consent, customer_traits)."""
    golden = _columns(con, "marts", "dim_customers")
    consent_columns = set(_columns(con, "marts", "customer_consent"))
    traits = [name for name in _columns(con, "marts", "customer_traits") if name != "customer_id"]
    value_columns = _value_columns()
    value_select = ", ".join(f"{table}.{column}" for table, columns in value_columns.items() for column in columns)
    value_joins = " ".join(
        f"left join {_mart(table)} as {table} on customers.customer_id = {table}.customer_id" for table in value_columns
    )
    for statement in (
        f"""create table copy_identifiers as
            select identifier_type, identifier_value, customer_id, kind, first_seen_at, last_seen_at, source_count
            from {_mart("identity_map")} where customer_id is not null""",
        f"""create table copy_sources as
            select customer_id, source_name, count(*) as records
            from {_mart("identity_record_map")} where customer_id is not null group by all""",
        f"""create table copy_timeline as
            select customer_id, occurred_at, channel, source_name, event_type, description, amount, currency_code,
                record_key
            from {_mart("customer_timeline")}""",
        f"create table copy_customers as select * from {_mart('dim_customers')}",
        f"create table copy_consent as select * from {_mart('customer_consent')}",
        f"create table copy_traits as select * from {_mart('customer_traits')}",
        f"""create table copy_value as select customers.customer_id, {value_select}
            from {_mart("dim_customers")} as customers {value_joins}""",
        f"""create table copy_segments as select customer_id, segment_name, member_since_date
            from {_mart("segment_membership")}""",
        f"""create table copy_recommendations as
            select customer_id, recommendation_rank, product_sku, product_name, category, brand, score
            from {_mart("customer_recommendations")}""",
    ):
        con.execute(statement)
    return {"dim_customers": golden, "customer_consent": sorted(consent_columns), "customer_traits": traits}


def _document_query(con: duckdb.DuckDBPyConnection, columns: dict[str, list[str]], timeline_limit: int) -> str:
    """After the copy: the JSON parts of every customer's document as tables (part_*), and the query (parameters:
    chunk count, chunk) that writes one JSON document per customer of a chunk."""
    golden = columns["dim_customers"]
    consent_columns = set(columns["customer_consent"])
    traits = columns["customer_traits"]
    value_columns = _value_columns()
    attributes = [name for name in golden if f"{name}_source" in golden]
    attribute_pairs = [
        (
            name,
            _json_object(
                [
                    ("value", f"customers.{quote_identifier(name)}"),
                    ("source", f"customers.{quote_identifier(name + '_source')}"),
                    ("observed_at", f"customers.{quote_identifier(name + '_observed_at')}"),
                ]
            ),
        )
        for name in attributes
    ]
    if "age_years" in golden:
        attribute_pairs.append(
            (
                "age_years",
                _json_object(
                    [
                        ("value", "customers.age_years"),
                        ("source", "customers.birth_date_source"),
                        ("observed_at", "customers.birth_date_observed_at"),
                    ]
                ),
            )
        )
    consent_pairs = []
    for channel in CONSENT_CHANNELS:
        # advertising has no contactability of its own: opted in is what counts (as in `cdp profile`)
        contactable = f"is_{channel}_contactable" if f"is_{channel}_contactable" in consent_columns else None
        fields = [
            ("opted_in", f"coalesce(consent.is_{channel}_opted_in, false)"),
            ("contactable", f"coalesce(consent.{contactable or f'is_{channel}_opted_in'}, false)"),
            ("event", f"consent.{channel}_consent_event"),
            ("source", f"consent.{channel}_consent_source"),
            ("at", f"consent.{channel}_consent_at"),
            ("last_withdrawn_at", f"consent.{channel}_last_withdrawn_at"),
        ]
        if channel == "email":
            fields += [
                ("undeliverable", "coalesce(consent.is_email_undeliverable, false)"),
                ("undeliverable_at", "consent.email_undeliverable_at"),
            ]
        consent_pairs.append((channel, _json_object(fields)))
    value_pairs = [(column, f"value.{column}") for columns in value_columns.values() for column in columns]
    document = _json_object(
        [
            ("customer_id", "customers.customer_id"),
            ("as_of_date", "customers.as_of_date"),
            ("is_known_customer", "customers.is_known_customer"),
            ("sources", "coalesce(sources.sources, json_object())"),
            ("identities", "coalesce(identities.identities, json_object())"),
            ("attributes", _json_object(attribute_pairs)),
            ("consent", _json_object(consent_pairs)),
            ("traits", _json_object([(name, f"traits.{quote_identifier(name)}") for name in traits])),
            ("value", _json_object(value_pairs)),
            ("segments", "coalesce(segments.segments, json_array())"),
            ("recommendations", "coalesce(recommendations.recommendations, json_array())"),
            ("timeline", "coalesce(timeline.timeline, json_array())"),
        ]
    )
    parts = {
        "part_sources": """
            select customer_id, to_json(map_from_entries(list(
                struct_pack(k := source_name, v := records) order by records desc, source_name
            ))) as sources
            from copy_sources group by customer_id""",
        "part_identities": """
            select customer_id, to_json(map_from_entries(list(
                struct_pack(k := identifier_type, v := entries) order by identifier_type
            ))) as identities
            from (
                select customer_id, identifier_type, to_json(list(json_object(
                    'value', identifier_value, 'kind', kind, 'first_seen_at', first_seen_at,
                    'last_seen_at', last_seen_at, 'source_count', source_count
                ) order by last_seen_at desc nulls last, identifier_value)) as entries
                from copy_identifiers group by all
            ) group by customer_id""",
        "part_timeline": f"""
            select customer_id, to_json(list(json_object(
                'occurred_at', occurred_at, 'channel', channel, 'source_name', source_name,
                'event_type', event_type, 'description', description, 'amount', amount,
                'currency_code', currency_code
            ) order by occurred_at desc, source_name, record_key)) as timeline
            from (
                select * from copy_timeline
                qualify row_number() over (
                    partition by customer_id order by occurred_at desc, source_name, record_key
                ) <= {int(timeline_limit)}
            ) group by customer_id""",
        "part_recommendations": """
            select customer_id, to_json(list(json_object(
                'rank', recommendation_rank, 'product_sku', product_sku, 'product_name', product_name,
                'category', category, 'brand', brand, 'score', score
            ) order by recommendation_rank)) as recommendations
            from copy_recommendations group by customer_id""",
        "part_segments": """
            select customer_id, to_json(list(
                json_object('segment_name', segment_name, 'member_since_date', member_since_date)
                order by segment_name
            )) as segments
            from copy_segments group by customer_id""",
    }
    for name, sql in parts.items():
        con.execute(f"create table {name} as {sql}")
    for table in ("copy_timeline", "copy_sources", "copy_recommendations", "copy_segments"):
        con.execute(f"drop table {table}")
    # one chunk of customers at a time: the documents of all of them at once would be held twice (DuckDB's result
    # and Python's strings)
    return f"""
        select customers.customer_id, {document} as document
        from copy_customers as customers
        left join part_sources as sources on customers.customer_id = sources.customer_id
        left join part_identities as identities on customers.customer_id = identities.customer_id
        left join copy_consent as consent on customers.customer_id = consent.customer_id
        left join copy_traits as traits on customers.customer_id = traits.customer_id
        left join copy_value as value on customers.customer_id = value.customer_id
        left join part_segments as segments on customers.customer_id = segments.customer_id
        left join part_recommendations as recommendations on customers.customer_id = recommendations.customer_id
        left join part_timeline as timeline on customers.customer_id = timeline.customer_id
        where hash(customers.customer_id) % ? = ?
    """


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    result = con.execute(sql, params or [])
    names = [column[0] for column in result.description]
    return [{name: plain_value(value) for name, value in zip(names, row, strict=True)} for row in result.fetchall()]


def _dashboard(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The aggregates of the dashboard page: value, identity resolution and data health."""
    rfm_grid = _rows(
        con,
        f"""
        select recency_score, frequency_score, count(*) as customers, avg(monetary) as average_monetary
        from {_mart("customer_rfm")} where has_purchased group by all order by all
        """,
    )
    rfm_segments = _rows(
        con,
        f"""
        select rfm_segment, count(*) as customers from {_mart("customer_rfm")} where has_purchased
        group by all order by customers desc, rfm_segment
        """,
    )
    clv = [
        row[0]
        for row in con.execute(
            f"select cast(predicted_clv as double) from {_mart('customer_ltv')} "
            "where has_purchased and predicted_clv is not null"
        ).fetchall()
    ]
    value_tiers = _rows(
        con,
        f"select value_tier, count(*) as customers from {_mart('customer_value_tier')} group by all order by all",
    )
    churn_bands = _rows(
        con,
        f"""
        select churn_risk_band, count(*) as customers from {_mart("customer_churn_risk")} where has_purchased
        group by all order by all
        """,
    )
    profiles_by_sources = _rows(
        con,
        f"select source_count, count(*) as customers from {_mart('dim_customers')} group by all order by all",
    )
    identifiers_by_kind = _rows(
        con,
        f"""
        select kind, resolution_status, count(*) as identifiers from {_mart("identity_map")}
        group by all order by all
        """,
    )
    unresolved = _rows(
        con,
        f"""
        select unresolved_reason, count(*) as records from {_mart("identity_record_map")}
        where customer_id is null group by all order by records desc, unresolved_reason
        """,
    )
    records = _rows(
        con,
        f"select count(*) as records, count(customer_id) as resolved from {_mart('identity_record_map')}",
    )[0]
    merges = (
        _rows(
            con,
            f"select merge_cause, count(*) as merges from {_mart('identity_merges')} group by all order by all",
        )
        if _table_exists(con, "marts", "identity_merges")
        else []
    )
    quarantine = (
        _rows(
            con,
            f"""
            select source_name, split_part(rejection_reason, ':', 1) as reason, count(*) as row_count
            from {WAREHOUSE}.audit.audit_quarantined_rows group by all order by row_count desc, source_name, reason
            """,
        )
        if _table_exists(con, "audit", "audit_quarantined_rows")
        else []
    )
    freshness = (
        _rows(
            con,
            f"""
            select source_name, max(finished_at) as last_loaded_at, count(*) as files, sum(rows_read) as rows_read
            from {WAREHOUSE}.cdp_meta.load_ledger group by all order by source_name
            """,
        )
        if _table_exists(con, "cdp_meta", "load_ledger")
        else []
    )
    customers = _rows(
        con,
        f"""
        select count(*) as customers, count(case when is_known_customer then 1 end) as known,
            max(as_of_date) as as_of_date
        from {_mart("dim_customers")}
        """,
    )[0]
    return {
        "customers": customers,
        "rfm_grid": rfm_grid,
        "rfm_segments": rfm_segments,
        "clv_histogram": histogram(clv),
        "clv_customers": len(clv),
        "value_tiers": value_tiers,
        "churn_bands": churn_bands,
        "profiles_by_sources": profiles_by_sources,
        "identifiers_by_kind": identifiers_by_kind,
        "unresolved": unresolved,
        "records": records,
        "merges": merges,
        "quarantine": quarantine,
        "freshness": freshness,
    }


def histogram(values: list[float], bins: int = 30) -> list[dict[str, float]]:
    """Equal-width bins from 0 up to the 99th percentile; the last bin also counts everything above it."""
    if not values:
        return []
    ordered = sorted(values)
    low = min(0.0, ordered[0])
    high = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    if high <= low:
        return [{"low": low, "high": high, "customers": len(values)}]
    width = (high - low) / bins
    counts = [0] * bins
    for value in ordered:
        counts[min(bins - 1, max(0, int((value - low) / width)))] += 1
    return [
        {"low": round(low + index * width, 2), "high": round(low + (index + 1) * width, 2), "customers": count}
        for index, count in enumerate(counts)
    ]


def _audiences(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Every segment with its size, trend and reach per destination, and the overlap between segments."""
    segments = _rows(
        con,
        f"""
        select segment_name, description, segment_owner, member_count
        from {_mart("audience_segments")} order by segment_name
        """,
    )
    # Members at every build that changed a membership (the snapshot's change times: an entry or an exit)
    trend: list[dict[str, Any]] = []
    if _table_exists(con, "snapshots", "segment_membership_snapshot"):
        trend = _rows(
            con,
            f"""
            with
            history as (select * from {WAREHOUSE}.snapshots.segment_membership_snapshot),
            builds as (select distinct dbt_valid_from as recorded_at from history)
            select builds.recorded_at, history.segment_name, count(*) as members
            from builds
            inner join history
                on history.dbt_valid_from <= builds.recorded_at
                and (history.dbt_valid_to is null or history.dbt_valid_to > builds.recorded_at)
                and coalesce(history.dbt_is_deleted, 'False') <> 'True'
            group by all order by all
            """,
        )
    overlap = _rows(
        con,
        f"""
        select one.segment_name as segment, other.segment_name as other_segment, count(*) as customers
        from {_mart("segment_membership")} as one
        inner join {_mart("segment_membership")} as other on one.customer_id = other.customer_id
        group by all order by all
        """,
    )
    reach = segment_reach(con, schema=f"{WAREHOUSE}.marts")
    return {"segments": segments, "trend": trend, "overlap": overlap, "reach": reach}


class SnapshotHolder:
    """The current snapshot, refreshed in a background thread when the warehouse file has changed and then stayed
    unchanged for `quiet_seconds` (a load or build between two of its steps is left alone)."""

    def __init__(
        self,
        warehouse: Path,
        *,
        refresh_seconds: float = 30.0,
        quiet_seconds: float = 15.0,
        loader: Callable[[Path], Snapshot] = take_snapshot,
    ) -> None:
        self.warehouse = warehouse
        self.refresh_seconds = refresh_seconds
        self.quiet_seconds = quiet_seconds
        self.loader = loader
        self.snapshot: Snapshot | None = None
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def refresh(self) -> bool:
        """Take a new snapshot now; False (and last_error set) when the warehouse cannot be read."""
        with self._lock:
            try:
                self.snapshot = self.loader(self.warehouse)
                self.last_error = None
                return True
            except WarehouseNotReady as error:
                self.last_error = str(error)
                return False

    def _changed_and_quiet(self) -> bool:
        try:
            mtime = self.warehouse.stat().st_mtime
        except OSError:
            return False
        if self.snapshot is not None and mtime == self.snapshot.file_mtime:
            return False
        return time.time() - mtime >= self.quiet_seconds

    def _run(self) -> None:
        while not self._stop.wait(self.refresh_seconds):
            if self.snapshot is None or self._changed_and_quiet():
                self.refresh()

    def start(self) -> None:
        if self.refresh_seconds > 0 and self._thread is None:
            self._thread = threading.Thread(target=self._run, name="cdp-serve-refresh", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def status(self) -> dict[str, Any]:
        snapshot = self.snapshot
        return {
            "ready": snapshot is not None,
            "customers": snapshot.customers if snapshot else 0,
            "taken_at": snapshot.taken_at.isoformat() if snapshot else None,
            "copy_seconds": round(snapshot.copy_seconds, 2) if snapshot else None,
            "prepare_seconds": round(snapshot.prepare_seconds, 2) if snapshot else None,
            "last_error": self.last_error,
        }
