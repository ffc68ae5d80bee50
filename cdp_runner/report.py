"""What the commands print: short, readable summaries built from the warehouse's own tables."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .dbt import DbtOutcome, target_dir
from .warehouse import connect

# Logs and CI are not terminals: give them a width that fits the tables instead of rich's 80 columns.
console = Console(highlight=False)
if not console.is_terminal:
    console = Console(highlight=False, width=120)


@contextmanager
def dbt_progress(label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A progress bar fed by dbt's node events; silent when the output is not a terminal."""
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[node]}"),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=None, node="")

        def update(done: int, total: int, node: str) -> None:
            progress.update(task, completed=done, total=total or None, node=node)

        yield update


def print_generate_summary(summary: dict, out_dir: Path) -> None:
    table = Table(title=f"Generated into {out_dir}", show_edge=False)
    table.add_column("file")
    table.add_column("rows", justify="right")
    for file_name, rows in sorted(summary["files"].items()):
        table.add_row(file_name, f"{rows:,}")
    console.print(table)
    console.print(f"ground truth: {out_dir / '_truth'}  ({summary['seconds']:.1f} s)")


def print_load_results(results: Iterable) -> None:
    table = Table(title="Load", show_edge=False)
    for column in ("file", "source", "rows", "not splittable", "status"):
        table.add_column(column, justify="right" if column in {"rows", "not splittable"} else "left")
    for result in results:
        if result.status == "already_loaded":
            table.add_row(result.file_name, result.source_name, "", "", "already loaded: nothing to do")
            continue
        table.add_row(
            result.file_name,
            result.source_name,
            f"{result.rows_read:,}",
            f"{result.rows_rejected:,}",
            f"loaded as {result.load_id}",
        )
    console.print(table)


def print_build_summary(outcome: DbtOutcome) -> None:
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
    console.print(f"dbt build in {outcome.seconds:.1f} s - " + "; ".join(parts))
    for result in outcome.failed:
        message = " ".join((result.message or "").split())
        console.print(f"  [red]{result.status}[/red] {result.unique_id}: {message[:300]}")


def print_demo_report(
    warehouse: str | Path | None,
    *,
    exports: Sequence = (),
    docs_page: Path | None = None,
    truth_dir: Path | None = None,
) -> None:
    """What the demo did, from the warehouse's own tables: sources, quarantine, identity, audiences, exports, docs."""
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
        identifiers = dict(con.execute(
            "select resolution_status, count(*) from marts.identity_map group by all"
        ).fetchall())
        records = con.execute(
            "select count(*), count(customer_id) from marts.identity_record_map"
        ).fetchall()[0]
        customers = con.execute(
            "select count(*), count(case when is_known_customer then 1 end), count(case when source_count >= 3 then 1 end) "
            "from marts.dim_customers"
        ).fetchall()[0]
        segments = con.execute(
            "select segment_name, segment_owner, member_count from marts.audience_segments order by segment_name"
        ).fetchall()
    console.rule("report")
    console.print(f"sources loaded: {loaded[0]} sources from {loaded[1]} files, {loaded[2]:,} rows read")
    table = Table(title="Where every raw row went", show_edge=False)
    for column in ("source", "raw", "staged", "quarantined", "duplicates", "reconciled"):
        table.add_column(column, justify="left" if column == "source" else "right")
    for source_name, raw_rows, staged_rows, quarantined_rows, duplicate_rows, is_reconciled in reconciliation:
        table.add_row(
            source_name,
            f"{raw_rows:,}",
            f"{staged_rows:,}",
            f"{quarantined_rows:,}",
            f"{duplicate_rows:,}",
            "yes" if is_reconciled else "[red]NO[/red]",
        )
    console.print(table)
    quarantined = sum(row[3] for row in reconciliation)
    console.print(f"rows quarantined: {quarantined:,} (audit.audit_quarantined_rows); top reasons:")
    for source_name, reason, count in reasons:
        console.print(f"  {count:>6,}  {source_name}: {reason}")
    console.print(
        f"identity: {sum(identifiers.values()):,} identifiers ({identifiers.get('assigned', 0):,} assigned to a "
        f"customer, {identifiers.get('cut', 0):,} cut by a rule, {identifiers.get('statistical', 0):,} statistical); "
        f"{records[1]:,} of {records[0]:,} records resolved"
    )
    console.print(
        f"customers unified: {customers[0]:,} ({customers[1]:,} known by a login, e-mail, card or phone; "
        f"{customers[0] - customers[1]:,} anonymous; {customers[2]:,} seen in 3 or more sources)"
    )
    if truth_dir is not None and (Path(truth_dir) / "_truth").exists():
        from .evaluate import evaluate_identity

        quality = evaluate_identity(truth_dir, warehouse=warehouse)
        console.print(
            f"identity against the generator's truth: precision {quality.precision:.5f}, recall {quality.recall:.5f}"
        )
    table = Table(title="Audiences (models/marts/audiences/_audiences__segments.yml)", show_edge=False)
    for column in ("segment", "owner", "members"):
        table.add_column(column, justify="right" if column == "members" else "left")
    for segment_name, owner, members in segments:
        table.add_row(segment_name, owner, f"{members:,}")
    console.print(table)
    for result in exports:
        console.print(f"export: {result.rows:>6,} rows of {result.segment} to {result.destination}: {result.file}")
    if docs_page is not None:
        console.print(f"docs: {docs_page}")
    else:
        console.print(f"docs: run 'cdp docs' to write the dbt docs site to {target_dir() / 'static_index.html'}")


def print_identity_quality(quality, *, as_json: bool = False) -> None:
    if as_json:
        console.print_json(data=quality.as_dict())
        return
    console.print(
        f"pairwise precision {quality.precision:.5f}  recall {quality.recall:.5f}  F1 {quality.f1:.5f}\n"
        f"records: {quality.records_in_truth:,} in truth, {quality.records_evaluated:,} in the record map, "
        f"{quality.records_missing_from_map:,} missing (quarantined or unresolved)\n"
        f"true persons {quality.true_persons:,}; profiles {quality.profiles:,}; "
        f"persons split over several profiles {quality.persons_split:,}; "
        f"profiles merging several persons {quality.profiles_merging_persons:,}"
    )
