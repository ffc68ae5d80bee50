"""The jobs that chain several steps: build the warehouse with dbt, its docs, the end-to-end demo, and an erasure
followed by the rebuild that recomputes the models without the person."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .activation.segment_export import export_segment
from .config import PROJECT_DIR, warehouse_path
from .console.build import (
    print_build_report,
    print_build_summary,
    print_demo_report,
    print_docs_page,
    print_step,
    status,
)
from .console.ingest import print_generate_summary, print_load_results, print_value_summary
from .console.progress import dbt_progress, generation_progress, load_progress
from .dbt import DbtOutcome, run_dbt, target_dir
from .errors import UserError, make_folder
from .generator.generate import generate
from .ingest.loader import load_path
from .privacy.erasure import ErasureResult, forget
from .spark.publish import publish_for_target
from .summary import build_report, summarise_warehouse
from .warehouse import connect

# dbt's unit tests check the SQL on fixed rows, whatever the data: as dbt advises for runs on production data, a build
# leaves them out unless asked (`cdp build --unit-tests`; make test runs them). Each model waits for its own unit
# tests, so they cost more than their own time: at 1,000 customers `cdp build` took 31.7-32.1 s with them and
# 23.8 s without (2026-12-06); at 100,000, 121.3 s against 107.5 s.
WITHOUT_UNIT_TESTS = ["--exclude-resource-type", "unit_test"]


def build_warehouse(
    *, warehouse: str | Path | None = None, dbt_args: list[str] | None = None, unit_tests: bool = False
) -> DbtOutcome:
    """`dbt build` with every data test, and dbt's unit tests when unit_tests is set; raises UserError naming what
    failed."""
    dbt_args = [*(dbt_args or []), *([] if unit_tests else WITHOUT_UNIT_TESTS)]
    with connect(warehouse, create=True) as con:
        # creates the raw tables, so sources resolve even before the first load; on Spark, brings the raw zone in
        # line (a no-op when the loads already published it)
        publish_for_target(con, warehouse_path(warehouse))
    with dbt_progress("dbt build") as on_progress:
        outcome = run_dbt(["build", *dbt_args], warehouse=warehouse, on_progress=on_progress)
    print_build_summary(outcome, unit_tests_left_out=not unit_tests)
    print_build_report(build_report(warehouse))
    if not outcome.success:
        failed = ", ".join(result.unique_id.split(".")[-1] for result in outcome.failed[:5])
        more = f" and {len(outcome.failed) - 5} more" if len(outcome.failed) > 5 else ""
        raise UserError(f"dbt build failed: {len(outcome.failed)} node(s) failed: {failed}{more}")
    return outcome


def build_docs(*, warehouse: str | Path | None = None, after_build: bool = False) -> Path:
    """dbt docs generate --static: one self-contained page a reviewer can open without a server. after_build: right
    after `build_warehouse`, whose manifest already holds every node's compiled SQL, so dbt does not compile the
    project again and reads only the catalog (4.0 s against 11.5 s at 100,000 customers, 2026-12-06)."""
    with connect(warehouse):
        pass
    command = ["docs", "generate", "--static", *(["--no-compile"] if after_build else [])]
    with status("dbt docs generate"):
        outcome = run_dbt(command, warehouse=warehouse, with_manifest=after_build)
    page = target_dir() / "static_index.html"
    if not outcome.success or not page.exists():
        raise UserError("dbt docs generate failed: see logs/dbt.log")
    print_docs_page(page)
    return page


def forget_person(identifier: str, *, warehouse: str | Path | None = None, rebuild: bool = True) -> ErasureResult:
    """Erase a person (cdp_runner.privacy.erasure), then rebuild so that no model still holds them."""
    with status("erasing"):
        result = forget(identifier, warehouse=warehouse)
        with connect(warehouse) as con:
            publish_for_target(con, warehouse_path(warehouse))  # Spark: the raw zone without the person's rows
    if rebuild:
        try:
            build_warehouse(warehouse=warehouse)
        except UserError as error:
            raise UserError(
                f"the person was erased (erasure {result.erasure_id}), but the rebuild failed: {error.message}; "
                "run 'cdp build' again"
            ) from None
        result.rebuilt = True
    return result


# What the demo sends where: one audience per declared destination (activation/destinations.yml).
DEMO_EXPORTS = (
    ("high_value_at_risk_email", "crm_email"),
    ("repeat_buyers_advertising", "ads_platform"),
    ("cart_abandoners_sms", "store_sms"),
    ("loyal_buyers_email", "app_push"),
)


def _parse_project(warehouse: str | Path | None) -> None:
    try:
        run_dbt(["parse"], warehouse=warehouse)
    except UserError:
        pass  # the build parses again and reports the problem


def run_demo(*, customers: int, seed: int, data_dir: str | Path | None, warehouse: str | Path | None) -> None:
    folder = Path(data_dir) if data_dir else PROJECT_DIR / "demo_data"
    make_folder(folder)  # before anything starts in the background
    with ThreadPoolExecutor(max_workers=1) as background:
        # dbt parses the project (about 8 s of one core) while the generator, which leaves a core idle, writes the
        # data: the build then finds nothing changed and skips parsing. Parsing opens no warehouse, so the loader
        # never waits for it.
        parsed = background.submit(_parse_project, warehouse)
        print_step(f"1/5 generate {customers:,} customers (seed {seed}) into {folder}")
        with generation_progress() as on_block:
            summary = generate(customers, seed, folder, on_block=on_block)
        print_generate_summary(summary, folder)
        print_step(f"2/5 load into {warehouse_path(warehouse)}")
        with load_progress() as on_progress:
            loaded = load_path(folder, warehouse=warehouse, on_progress=on_progress)
        print_load_results(loaded)
        print_value_summary(loaded)
        parsed.result()
    print_step("3/5 build (every model and data test)")
    build_warehouse(warehouse=warehouse)
    print_step("4/5 export audiences")
    with status("exporting one audience per destination"):
        exports = [export_segment(segment, destination, warehouse=warehouse) for segment, destination in DEMO_EXPORTS]
    print_step("5/5 docs")
    docs_page = build_docs(warehouse=warehouse, after_build=True)
    print_demo_report(summarise_warehouse(warehouse, truth_dir=folder), exports=exports, docs_page=docs_page)
