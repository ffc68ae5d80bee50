"""What a built warehouse holds, read from its own tables: what `cdp build` reports of the data it was given, and
the figures of the demo's closing report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from .evaluation.identity import IdentityQuality, evaluate_identity
from .lookup.customers import table_exists
from .warehouse import connect


@dataclass
class BuildReport:
    """What a build did with the data that a user must hear about: per source, the records quarantined and the
    fields nulled (the audit models); the purchases without a rate to the reporting currency; and whether there
    were purchases at all for the value marts to measure. None where the build did not make the model."""

    quarantined: dict[str, int] | None = None  # source: records in audit.audit_quarantined_rows
    nulled: dict[str, dict[str, int]] | None = None  # source: {column: fields in audit.audit_nulled_fields}
    unconverted: dict[str, int] | None = None  # currency: purchases without a rate
    purchases: int | None = None  # purchases up to the reference date (int_customer_purchases)


def build_report(warehouse: str | Path | None) -> BuildReport:
    report = BuildReport()
    with connect(warehouse, read_only=True) as con:
        if table_exists(con, "audit", "audit_quarantined_rows"):
            report.quarantined = _counts(con, "select source_name, count(*) from audit.audit_quarantined_rows")
        if table_exists(con, "audit", "audit_nulled_fields"):
            report.nulled = {}
            for source, column, count in con.execute(
                "select source_name, column_name, count(*) from audit.audit_nulled_fields group by all order by all"
            ).fetchall():
                report.nulled.setdefault(source, {})[column] = count
        if table_exists(con, "intermediate", "int_customer_purchases"):
            report.purchases = con.execute("select count(*) from intermediate.int_customer_purchases").fetchall()[0][0]
            report.unconverted = _counts(
                con,
                "select coalesce(currency_code, '(none)'), count(*) from intermediate.int_customer_purchases "
                "where is_unconverted",
            )
    return report


def _counts(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, int]:
    return dict(con.execute(sql + " group by all order by all").fetchall())


@dataclass(frozen=True)
class WarehouseSummary:
    sources_loaded: int
    files_loaded: int
    rows_read: int
    # (source, raw rows, staged, quarantined, duplicate rows, reconciled) per source
    reconciliation: list[tuple[str, int, int, int, int, bool]]
    top_quarantine_reasons: list[tuple[str, str, int]]  # (source, reason, rows)
    identifiers_by_status: dict[str, int]
    records: int
    records_resolved: int
    customers: int
    known_customers: int
    customers_in_three_sources: int
    segments: list[tuple[str, str, int]]  # (segment, owner, members)
    identity_quality: IdentityQuality | None  # against the generator's truth, when there is one
    example_email: str | None = None  # of a customer seen in many sources, in segments: one to look up first


def summarise_warehouse(warehouse: str | Path | None, *, truth_dir: Path | None = None) -> WarehouseSummary:
    """The figures of a built warehouse; with the identity quality when `truth_dir` holds the generator's truth."""
    with connect(warehouse, read_only=True) as con:
        loaded = con.execute(
            "select count(distinct source_name), count(*), coalesce(sum(rows_read), 0) from cdp_meta.load_ledger"
        ).fetchall()[0]
        reconciliation = con.execute(
            "select source_name, raw_rows, staged_rows, quarantined_rows, duplicate_rows, is_reconciled "
            "from audit.audit_source_reconciliation order by source_name"
        ).fetchall()
        reasons = con.execute(
            "select source_name, split_part(rejection_reason, ':', 1) as reason, count(*) "
            "from audit.audit_quarantined_rows group by all order by 3 desc limit 5"
        ).fetchall()
        identifiers = dict(
            con.execute("select resolution_status, count(*) from marts.identity_map group by all").fetchall()
        )
        records = con.execute("select count(*), count(customer_id) from marts.identity_record_map").fetchall()[0]
        customers = con.execute(
            "select count(*), count(case when is_known_customer then 1 end), "
            "count(case when source_count >= 3 then 1 end) from marts.dim_customers"
        ).fetchall()[0]
        segments = con.execute(
            "select segment_name, segment_owner, member_count from marts.audience_segments order by segment_name"
        ).fetchall()
        example = con.execute(
            """
            select customers.email from marts.dim_customers as customers
            inner join marts.segment_membership as membership on customers.customer_id = membership.customer_id
            where customers.email is not null
            group by customers.customer_id, customers.email, customers.source_count
            order by count(*) desc, customers.source_count desc, customers.customer_id limit 1
            """
        ).fetchall()
    quality = None
    if truth_dir is not None and (Path(truth_dir) / "_truth").exists():
        # precision and recall only: the report shows no recall ceiling (4.6 of 8.1 s at 100,000 customers)
        quality = evaluate_identity(Path(truth_dir), warehouse=warehouse, with_recall_ceiling=False)
    return WarehouseSummary(
        sources_loaded=loaded[0],
        files_loaded=loaded[1],
        rows_read=loaded[2],
        reconciliation=reconciliation,
        top_quarantine_reasons=reasons,
        identifiers_by_status=identifiers,
        records=records[0],
        records_resolved=records[1],
        customers=customers[0],
        known_customers=customers[1],
        customers_in_three_sources=customers[2],
        segments=segments,
        identity_quality=quality,
        example_email=example[0][0] if example else None,
    )
