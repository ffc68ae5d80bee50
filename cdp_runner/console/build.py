"""What `cdp build`, `cdp docs` and `cdp demo` print."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rich.table import Table

from ..activation.segment_export import ExportResult
from ..dbt import DbtOutcome, target_dir
from ..summary import BuildReport, WarehouseSummary
from .activation import export_accounting
from .terminal import console, plural


def print_step(title: str) -> None:
    """A rule between the steps of the demo."""
    console.rule(title)


@contextmanager
def status(message: str) -> Iterator[None]:
    """A spinner while a step without progress events runs."""
    with console.status(message):
        yield


def print_docs_page(page: Path) -> None:
    console.print(f"docs: {page}")


def print_build_summary(outcome: DbtOutcome, *, unit_tests_left_out: bool = False) -> None:
    if not outcome.results:
        console.print("dbt build: nothing was selected")
        return
    by_type: dict[str, dict[str, int]] = {}
    for result in outcome.results:
        statuses = by_type.setdefault(result.resource_type, {})
        statuses[result.status] = statuses.get(result.status, 0) + 1
    parts = []
    for resource_type, statuses in sorted(by_type.items()):
        counted = ", ".join(f"{count} {status}" for status, count in sorted(statuses.items()))
        parts.append(f"{resource_type}s: {counted}")
    if unit_tests_left_out:
        parts.append("unit tests: left out (--unit-tests runs them)")
    console.print(f"dbt build in {outcome.seconds:.1f} s - " + "; ".join(parts))
    for result in outcome.failed:
        message = " ".join((result.message or "").split())
        console.print(f"  [red]{result.status}[/red] {result.unique_id}: {message[:300]}")


def print_build_report(report: BuildReport) -> None:
    """Per source, what staging did not take as delivered; purchases the value marts could not convert or did not
    have. Silent when everything went in."""
    sources = sorted(set(report.quarantined or {}) | set(report.nulled or {}))
    if sources:
        console.print(
            "records quarantined and fields nulled (audit.audit_quarantined_rows, audit.audit_nulled_fields):"
        )
    for source in sources:
        quarantined = (report.quarantined or {}).get(source, 0)
        nulled = (report.nulled or {}).get(source, {})
        line = f"  {source}: {plural(quarantined, 'record')} quarantined"
        if nulled:
            line += f"; {plural(sum(nulled.values()), 'field')} nulled ({_by_column(nulled)})"
        console.print(line)
    for currency, count in (report.unconverted or {}).items():
        console.print(
            f"value: {plural(count, 'purchase')} in {currency}, a currency without a rate to the reporting "
            "currency, count for frequency and recency but not for money figures: set var cdp_reporting_currency "
            "to the shop's currency, or add a rate to seeds/value/currency_rates.csv"
        )
    if report.purchases == 0:
        console.print(
            "value: no purchases in the data (no shop orders or till receipts staged): the value marts (RFM, lifetime "
            "value, churn risk, value tier) have no figures"
        )


def _by_column(counts: dict[str, int]) -> str:
    return ", ".join(f"{column} {count:,}" for column, count in counts.items())


def print_demo_report(
    summary: WarehouseSummary,
    *,
    exports: Sequence[ExportResult] = (),
    docs_page: Path | None = None,
) -> None:
    """What the demo did, from the warehouse's own tables: sources, quarantine, identity, audiences, exports, docs."""
    identifiers = summary.identifiers_by_status
    console.rule("report")
    console.print(
        f"sources loaded: {summary.sources_loaded} sources from {summary.files_loaded} files, "
        f"{summary.rows_read:,} rows read"
    )
    table = Table(title="Where every raw row went", show_edge=False)
    for column in ("source", "raw", "staged", "quarantined", "duplicates", "reconciled"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for source_name, raw_rows, staged_rows, quarantined_rows, duplicate_rows, is_reconciled in summary.reconciliation:
        table.add_row(
            source_name,
            f"{raw_rows:,}",
            f"{staged_rows:,}",
            f"{quarantined_rows:,}",
            f"{duplicate_rows:,}",
            "yes" if is_reconciled else "[red]NO[/red]",
        )
    console.print(table)
    quarantined = sum(row[3] for row in summary.reconciliation)
    console.print(f"rows quarantined: {quarantined:,} (audit.audit_quarantined_rows); top reasons:")
    for source_name, reason, count in summary.top_quarantine_reasons:
        console.print(f"  {count:>6,}  {source_name}: {reason}")
    console.print(
        f"identity: {sum(identifiers.values()):,} identifiers ({identifiers.get('assigned', 0):,} assigned to a "
        f"customer, {identifiers.get('cut', 0):,} cut by a rule, {identifiers.get('statistical', 0):,} statistical); "
        f"{summary.records_resolved:,} of {summary.records:,} records resolved"
    )
    console.print(
        f"customers unified: {summary.customers:,} ({summary.known_customers:,} known by a login, e-mail, card or "
        f"phone; {summary.customers - summary.known_customers:,} anonymous; {summary.customers_in_three_sources:,} "
        "seen in 3 or more sources)"
    )
    quality = summary.identity_quality
    if quality is not None:
        console.print(
            f"identity against the generator's truth: precision {quality.precision:.5f}, recall {quality.recall:.5f}"
        )
    table = Table(title="Audiences (models/marts/audiences/_audiences__segments.yml)", show_edge=False)
    for column in ("segment", "owner", "members"):
        table.add_column(column, justify="right" if column == "members" else "left")
    for segment_name, owner, members in summary.segments:
        table.add_row(segment_name, owner, f"{members:,}")
    console.print(table)
    for result in exports:
        console.print(f"export: {result.rows:>6,} rows of {result.segment} to {result.destination}: {result.file}")
        console.print(export_accounting(result))
    if docs_page is not None:
        console.print(f"docs: {docs_page}")
    else:
        console.print(f"docs: run 'cdp docs' to write the dbt docs site to {target_dir() / 'static_index.html'}")
    print_next_steps(summary)


def print_next_steps(summary: WarehouseSummary) -> None:
    """The three things to try after the demo."""
    console.rule("next")
    example = summary.example_email or "AN-EMAIL-OR-PHONE"
    console.print("Three things to try now (the cdp command is .venv/bin/cdp: 'source .venv/bin/activate' first):")
    console.print(f"  1. cdp profile {example}    one customer's single view (any e-mail, phone or card works)")
    console.print("  2. cdp segments    every segment, its size and what each destination would receive")
    console.print("  3. cdp serve    the look-up page for the till, audiences and dashboard on http://127.0.0.1:8000")
