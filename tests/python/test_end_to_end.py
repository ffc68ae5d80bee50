"""End to end on generated data: generate -> load -> dbt build with every data test, then the promises of
the foundation: every raw row accounted for, quarantined rows traceable, reloads changing nothing."""

from __future__ import annotations

import pytest

from cdp_runner.ingest.loader import load_path
from cdp_runner.pipeline import build_warehouse
from cdp_runner.warehouse import connect

pytestmark = pytest.mark.slow


def _fingerprints(warehouse, schemas: tuple[str, ...]) -> dict[str, tuple]:
    """Row count and an order-independent hash of every table in the schemas."""
    with connect(warehouse, read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables "
            f"where table_schema in ({', '.join('?' for _ in schemas)}) and table_type = 'BASE TABLE'",
            list(schemas),
        ).fetchall()
        return {
            f"{schema}.{table}": con.execute(f"select count(*), sum(hash(t)) from {schema}.{table} as t").fetchall()[0]
            for schema, table in tables
        }


def test_build_runs_every_model_and_test(built_warehouse):
    outcome = built_warehouse.outcome
    assert outcome.success
    assert not outcome.failed
    kinds = {result.resource_type for result in outcome.results}
    assert {"model", "test", "seed", "unit_test"} <= kinds
    assert sum(result.resource_type == "test" for result in outcome.results) > 100


def test_cdp_build_runs_unit_tests_only_when_asked(built_warehouse, tmp_path, dbt_target):
    import json
    import shutil

    from click.testing import CliRunner

    from cdp_runner.cli import main

    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.warehouse, warehouse)

    def kinds_built(*flags: str) -> set[str]:
        outcome = CliRunner().invoke(
            main, ["build", "--warehouse", str(warehouse), *flags, "--select", "stg_pos__stores"]
        )
        assert outcome.exit_code == 0, outcome.output
        # the summary says when they were left out (the console wraps long lines)
        said = "unit tests: left out (--unit-tests runs them)" in " ".join(outcome.output.split())
        assert said == ("--unit-tests" not in flags)
        results = json.loads((dbt_target / "run_results.json").read_text())["results"]
        # the project's on-run-end hook runs with every build
        return {result["unique_id"].split(".")[0] for result in results} - {"operation"}

    assert kinds_built() == {"model", "test"}
    assert kinds_built("--unit-tests") == {"model", "test", "unit_test"}


def test_every_raw_row_is_staged_quarantined_or_a_duplicate(built_warehouse):
    with connect(built_warehouse.warehouse, read_only=True) as con:
        rows = con.execute(
            "select source_name, raw_rows, staged_rows, quarantined_rows, duplicate_rows, is_reconciled "
            "from audit.audit_source_reconciliation"
        ).fetchall()
        raw_tables = con.execute("select count(*) from information_schema.tables where table_schema = 'raw'").fetchall()
    assert len(rows) == raw_tables[0][0], "every raw table must appear in the reconciliation"
    for source_name, raw_rows, staged_rows, quarantined_rows, duplicate_rows, is_reconciled in rows:
        assert raw_rows > 0, source_name
        assert raw_rows == staged_rows + quarantined_rows + duplicate_rows, source_name
        assert is_reconciled, source_name
    # The generator delivers malformed rows and duplicate deliveries: both must be caught, not passed through.
    assert sum(row[3] for row in rows) > 0
    assert sum(row[4] for row in rows) > 0


def test_quarantined_rows_trace_back_to_their_raw_row(built_warehouse):
    with connect(built_warehouse.warehouse, read_only=True) as con:
        sources = [
            row[0] for row in con.execute("select distinct source_name from audit.audit_quarantined_rows").fetchall()
        ]
        assert sources
        for source_name in sources:
            unmatched = con.execute(
                f"""
                select count(*) from audit.audit_quarantined_rows as quarantined
                left join raw.{source_name} as delivered
                    on quarantined.load_id = delivered._load_id
                    and quarantined.source_row_number = delivered._row_number
                where quarantined.source_name = ? and delivered._load_id is null
                """,
                [source_name],
            ).fetchall()[0][0]
            assert unmatched == 0, source_name
        reasons = [
            row[0]
            for row in con.execute("select distinct rejection_reason from audit.audit_quarantined_rows").fetchall()
        ]
    assert all(reason and len(reason) > 5 for reason in reasons)


def test_reloading_every_file_changes_no_table(built_warehouse):
    before = _fingerprints(built_warehouse.warehouse, ("raw", "cdp_meta", "staging", "audit"))
    results = load_path(built_warehouse.data_dir, warehouse=built_warehouse.warehouse)
    assert results and all(result.status == "already_loaded" for result in results)
    build_warehouse(
        warehouse=built_warehouse.warehouse,
        dbt_args=["--select", "staging", "audit", "--exclude", "audit_identity_*"],
    )
    after = _fingerprints(built_warehouse.warehouse, ("raw", "cdp_meta", "staging", "audit"))
    assert before == after


def test_the_demo_report_tells_what_was_loaded_unified_segmented_and_exported(built_warehouse, tmp_path):
    import shutil

    from cdp_runner.activation.segment_export import export_segment
    from cdp_runner.console.build import print_demo_report
    from cdp_runner.console.terminal import console
    from cdp_runner.summary import summarise_warehouse

    warehouse = tmp_path / "warehouse.duckdb"  # a copy: exports record their state in the warehouse
    shutil.copy(built_warehouse.warehouse, warehouse)
    result = export_segment("loyal_buyers_email", "crm_email", warehouse=warehouse, out_dir=tmp_path / "out")
    with console.capture() as captured:
        print_demo_report(
            summarise_warehouse(warehouse, truth_dir=built_warehouse.data_dir),
            exports=[result],
            docs_page=tmp_path / "index.html",
        )
    text = " ".join(captured.get().replace("│", " ").split())  # table borders aside
    with connect(warehouse, read_only=True) as con:
        customers, known = con.execute(
            "select count(*), count(case when is_known_customer then 1 end) from marts.dim_customers"
        ).fetchall()[0]
        quarantined = con.execute("select count(*) from audit.audit_quarantined_rows").fetchall()[0][0]
        members = con.execute(
            "select member_count from marts.audience_segments where segment_name = 'loyal_buyers_email'"
        ).fetchall()[0][0]
    assert "sources loaded: 15 sources" in text
    assert f"rows quarantined: {quarantined:,}" in text
    assert f"customers unified: {customers:,} ({known:,} known" in text
    assert "identity against the generator's truth: precision" in text
    assert f"loyal_buyers_email crm-team@example.com {members:,}" in text
    # (paths may be folded by the console's width)
    assert f"export: {result.rows:,} rows of loyal_buyers_email to crm_email:" in text
    assert result.file.name in text.replace(" ", "")
    assert "docs:" in text and "index.html" in text.replace(" ", "")


def test_the_docs_page_written_after_a_build_holds_the_builds_compiled_sql_and_the_catalog(
    built_warehouse, tmp_path, dbt_target
):
    import json
    import shutil

    from cdp_runner.dbt import run_dbt
    from cdp_runner.pipeline import build_docs

    # the test's own target folder (dbt_target): what the build leaves there is what docs reads
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(built_warehouse.warehouse, warehouse)
    run_dbt(
        ["build", "--select", "stg_pos__stores", "--exclude-resource-type", "test", "unit_test"], warehouse=warehouse
    )
    built = (dbt_target / "manifest.json").read_text()
    assert json.loads(built)["nodes"]["model.cdp.stg_pos__stores"]["compiled_code"].strip()
    # as the demo writes it: the build's manifest (dbt does not compile again) and a catalog read from the warehouse
    page = build_docs(warehouse=warehouse, after_build=True).read_text()
    catalog = json.loads((dbt_target / "catalog.json").read_text())
    assert "store_id" in catalog["nodes"]["model.cdp.stg_pos__stores"]["columns"]
    assert built in page and (dbt_target / "catalog.json").read_text() in page
