"""The project macros that take model or source names stop compilation with one clear message on a bad argument
(checked with `dbt compile --inline`, which compiles against the whole project)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cdp_runner.config import dbt_environment

pytestmark = pytest.mark.slow


def _failed_compile_output(folder: Path, sql: str) -> str:
    """dbt's output for `dbt compile --inline SQL`, which must fail (run_dbt keeps only the last error line)."""
    result = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "compile", "--inline", sql],
        cwd=folder,
        env=dbt_environment(Path("warehouse.duckdb")),
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0, result.stdout
    return result.stdout + result.stderr


@pytest.mark.parametrize(
    ("sql", "message"),
    [
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
    ],
)
def test_a_bad_argument_stops_compilation(tmp_path, sql, message):
    assert message in _failed_compile_output(tmp_path, sql)
