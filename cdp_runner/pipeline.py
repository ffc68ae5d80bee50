"""The main job: build the warehouse with dbt, and the end-to-end demo."""

from __future__ import annotations

from pathlib import Path

from .config import PROJECT_DIR, warehouse_path
from .dbt import DbtOutcome, run_dbt, target_dir
from .errors import UserError
from .report import console, dbt_progress, print_build_summary, print_demo_report
from .warehouse import connect


def build_warehouse(*, warehouse: str | Path | None = None, dbt_args: list[str] | None = None) -> DbtOutcome:
    """`dbt build` with all tests; raises UserError naming what failed."""
    with connect(warehouse):
        pass  # creates the raw tables, so sources resolve even before the first load
    with dbt_progress("dbt build") as on_progress:
        outcome = run_dbt(["build", *(dbt_args or [])], warehouse=warehouse, on_progress=on_progress)
    print_build_summary(outcome)
    if not outcome.success:
        failed = ", ".join(result.unique_id.split(".")[-1] for result in outcome.failed[:5])
        more = f" and {len(outcome.failed) - 5} more" if len(outcome.failed) > 5 else ""
        raise UserError(f"dbt build failed: {len(outcome.failed)} node(s) failed: {failed}{more}")
    return outcome


def build_docs(*, warehouse: str | Path | None = None) -> Path:
    """dbt docs generate --static: one self-contained page a reviewer can open without a server."""
    with connect(warehouse):
        pass
    with console.status("dbt docs generate"):
        outcome = run_dbt(["docs", "generate", "--static"], warehouse=warehouse)
    page = target_dir() / "static_index.html"
    if not outcome.success or not page.exists():
        raise UserError("dbt docs generate failed: see logs/dbt.log")
    console.print(f"docs: {page}")
    return page


# What the demo sends where: one audience per declared destination (activation/destinations.yml).
DEMO_EXPORTS = (
    ("high_value_at_risk_email", "crm_email"),
    ("repeat_buyers_advertising", "ads_platform"),
    ("cart_abandoners_sms", "store_sms"),
    ("loyal_buyers_email", "app_push"),
)


def run_demo(*, customers: int, seed: int, data_dir: str | Path | None, warehouse: str | Path | None) -> None:
    from .export import export_segment
    from .generator.generate import generate
    from .load import load_path
    from .report import print_generate_summary, print_load_results

    folder = Path(data_dir) if data_dir else PROJECT_DIR / "demo_data"
    console.rule(f"1/5 generate {customers:,} customers (seed {seed}) into {folder}")
    summary = generate(customers, seed, folder, progress=True)
    print_generate_summary(summary, folder)
    console.rule(f"2/5 load into {warehouse_path(warehouse)}")
    print_load_results(load_path(folder, warehouse=warehouse, progress=True))
    console.rule("3/5 build")
    build_warehouse(warehouse=warehouse)
    console.rule("4/5 export audiences")
    exports = [export_segment(segment, destination, warehouse=warehouse) for segment, destination in DEMO_EXPORTS]
    console.rule("5/5 docs")
    docs_page = build_docs(warehouse=warehouse)
    print_demo_report(warehouse, exports=exports, docs_page=docs_page, truth_dir=folder)
