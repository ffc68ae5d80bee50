"""The project macros that take model or source names stop compilation with one clear message on a bad argument
(checked with `dbt compile --inline`, which compiles against the whole project). One process parses the project
once and compiles every case with that manifest (dbtRunner), instead of one dbt process and parse per case."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cdp_runner.config import dbt_environment

pytestmark = pytest.mark.slow

CASES = (
    ("{{ cdp_union_models([]) }}", "cdp_union_models: expects a non-empty list of model names, got '[]'"),
    ("{{ cdp_union_models('int_customer_interactions_web') }}", "expects a non-empty list of model names"),
    (
        "{{ cdp_union_models(['int_customer_interactions_web', 'int_customer_purchases']) }}",
        "int_customer_purchases.purchase_key has no data_type",
    ),
    (
        "{{ cdp_union_models(['customer_ltv', 'int_audience_customer_attributes']) }}",
        "online_order_count is integer elsewhere but bigint in int_audience_customer_attributes",
    ),
    (
        "select * from {{ cdp_records_with_customer('stores') }}",
        "cdp_records_with_customer: 'stores' is not a person-bearing source; expected one of app_events,",
    ),
)
CASE_END = "--- case compiled, success:"
COMPILE_EACH = f"""
import copy
import sys
from dbt.cli.main import dbtRunner

parsed = dbtRunner().invoke(["parse"])
if not parsed.success:
    raise SystemExit(f"dbt parse failed: {{parsed.exception}}")
for sql in sys.argv[1:]:
    # a copy each: compiling an inline query adds it to the manifest it is given
    result = dbtRunner(manifest=copy.deepcopy(parsed.result)).invoke(["compile", "--inline", sql])
    print("{CASE_END}", result.success, flush=True)
"""


@pytest.fixture(scope="module")
def compiled(tmp_path_factory) -> dict[str, tuple[bool, str]]:
    """Per case's SQL: whether `dbt compile --inline` succeeded, and dbt's output for it."""
    sqls = [sql for sql, _ in CASES]
    result = subprocess.run(
        [sys.executable, "-c", COMPILE_EACH, *sqls],
        cwd=tmp_path_factory.mktemp("macros"),
        env=dbt_environment(Path("warehouse.duckdb")),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    outputs = result.stdout.split(CASE_END)
    assert len(outputs) == len(sqls) + 1, result.stdout
    return {
        sql: (output_after.split("\n", 1)[0].strip() == "True", output)
        for sql, output, output_after in zip(sqls, outputs, outputs[1:], strict=False)
    }


@pytest.mark.parametrize(("sql", "message"), CASES)
def test_a_bad_argument_stops_compilation(compiled, sql, message):
    succeeded, output = compiled[sql]
    assert not succeeded, output
    assert message in output
