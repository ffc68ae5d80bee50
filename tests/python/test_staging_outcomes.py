"""Data that goes in is kept, or set apart with a word: a bad optional value nulls its field (the record stays, the
field is recorded in audit.audit_nulled_fields) and a bad required value quarantines the record, and `cdp load` and
`cdp build` say so per source; a warehouse without orders builds; purchases in a currency without a rate still count.

A CRM-only start is built whole once (module fixture); the currency cases rebuild the value marts of a copy of the
session's warehouse.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from types import SimpleNamespace

import duckdb
import jinja2
import pytest
from click.testing import CliRunner

from cdp_runner.cli import main
from cdp_runner.config import PROJECT_DIR
from cdp_runner.ingest import values as loader_values
from cdp_runner.ingest.contracts import SOURCES, SOURCES_BY_NAME
from cdp_runner.ingest.values import cleaned, missing, parses

pytestmark = pytest.mark.slow

CRM_HEADER = ",".join(SOURCES_BY_NAME["crm_customers"].column_names)


def _crm_row(customer_id: str, **values: str) -> str:
    row = dict.fromkeys(SOURCES_BY_NAME["crm_customers"].column_names, "")
    row.update(
        crm_customer_id=customer_id,
        email=f"{customer_id.lower()}@mailbox.co.uk",
        first_name="Test",
        created_at="2025-01-01T00:00:00Z",
        updated_at="2025-02-01T00:00:00Z",
        email_opt_in="yes",
    )
    row.update(values)
    return ",".join(row.values())


def _rows(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


@pytest.fixture(scope="module")
def crm_only(tmp_path_factory) -> SimpleNamespace:
    """A new user's first delivery: CRM accounts only (no orders, no events), some with a bad optional value."""
    root = tmp_path_factory.mktemp("crm_only")
    crm = root / "crm_customers.csv"
    crm.write_text(
        "\n".join(
            [
                CRM_HEADER,
                _crm_row("C1"),
                _crm_row("C2", email_opt_in="ja"),  # a boolean in German
                _crm_row("C3", birth_date="12.04.1992"),  # a date as Germans write it
                _crm_row("C4", created_at="yesterday"),  # a bad *required* value
                _crm_row("C5", sms_opt_in="maybe", consent_updated_at="last week"),
            ]
        )
        + "\n"
    )
    warehouse = root / "warehouse.duckdb"
    runner = CliRunner()
    loaded = runner.invoke(main, ["load", str(crm), "--warehouse", str(warehouse)])
    built = runner.invoke(main, ["build", "--warehouse", str(warehouse)])
    return SimpleNamespace(warehouse=warehouse, loaded=loaded, built=built)


def test_a_bad_optional_value_nulls_the_field_and_keeps_the_customer(crm_only):
    assert crm_only.built.exit_code == 0, crm_only.built.output
    staged = dict(
        _rows(crm_only.warehouse, "select crm_customer_id, (email_opt_in, sms_opt_in) from staging.stg_crm__customers")
    )
    assert set(staged) == {"C1", "C2", "C3", "C5"}  # C4 has a bad required value: quarantined
    assert staged["C2"] == (None, None) and staged["C1"] == (True, None)
    assert _rows(
        crm_only.warehouse, "select birth_date from staging.stg_crm__customers where crm_customer_id = 'C3'"
    ) == [(None,)]
    assert sorted(
        _rows(
            crm_only.warehouse,
            "select source_name, source_row_number, record_key, column_name, delivered_value, reason "
            "from audit.audit_nulled_fields",
        )
    ) == [
        ("crm_customers", 2, "C2", "email_opt_in", "ja", "not a boolean"),
        ("crm_customers", 3, "C3", "birth_date", "12.04.1992", "not a YYYY-MM-DD date"),
        ("crm_customers", 5, "C5", "consent_updated_at", "last week", "not an ISO 8601 timestamp"),
        ("crm_customers", 5, "C5", "sms_opt_in", "maybe", "not a boolean"),
    ]
    assert _rows(crm_only.warehouse, "select record_key, rejection_reason from audit.audit_quarantined_rows") == [
        ("C4", "unparseable created_at: yesterday")
    ]
    # the customers are all there: C2, C3 and C5 with their other attributes
    assert _rows(crm_only.warehouse, "select count(*) from marts.dim_customers where email is not null") == [(4,)]


def test_load_and_build_say_per_source_what_was_quarantined_and_nulled(crm_only):
    assert crm_only.loaded.exit_code == 0, crm_only.loaded.output
    assert re.search(
        r"crm_customers: 1 record to quarantine \(0 not splittable, 1 with a required value missing or not of its "
        r"type\); 4 fields to null \(not of the contract type: birth_date 1, consent_updated_at 1, email_opt_in 1, "
        r"sms_opt_in 1\)",
        " ".join(crm_only.loaded.output.split()),
    ), crm_only.loaded.output
    built = " ".join(crm_only.built.output.split())
    assert (
        "crm_customers: 1 record quarantined; 4 fields nulled (birth_date 1, consent_updated_at 1, email_opt_in 1, "
        "sms_opt_in 1)" in built
    ), crm_only.built.output


def test_a_warehouse_without_orders_builds_with_its_value_marts_saying_why(crm_only):
    assert crm_only.built.exit_code == 0, crm_only.built.output
    assert "value: no purchases in the data" in " ".join(crm_only.built.output.split())
    ltv = _rows(
        crm_only.warehouse,
        "select count(*), count(as_of_date), count(expected_purchases), bool_or(has_purchased) from marts.customer_ltv",
    )
    assert ltv == [(4, 4, 0, False)]
    # the reference date falls back to the latest record of any source (the CRM's last update)
    assert _rows(crm_only.warehouse, "select distinct as_of_date from marts.ltv_model_params") == [
        (_rows(crm_only.warehouse, "select cast(max(observed_at) as date) from marts.identity_record_map")[0][0],)
    ]
    reasons = _rows(crm_only.warehouse, "select fallback_reason from marts.ltv_model_params where is_fallback")
    assert reasons and all("0 customers" in reason for (reason,) in reasons)


# --- purchases in a currency the rates do not know ---------------------------------------------------------------


def _value_build(warehouse: Path, *extra: str):
    return CliRunner().invoke(
        main,
        ["build", "--warehouse", str(warehouse), "--select", "int_customer_purchases+"] + list(extra),
    )


@pytest.fixture(scope="module")
def dollar_shop(built_warehouse, tmp_path_factory):
    """The session's shop, selling in US dollars: every order, receipt and product price in USD."""
    warehouse = tmp_path_factory.mktemp("usd") / "warehouse.duckdb"
    shutil.copy(built_warehouse.warehouse, warehouse)
    con = duckdb.connect(str(warehouse))
    try:
        for table in ("stg_shop__orders", "stg_pos__transactions", "stg_catalog__products"):
            con.execute(f"update staging.{table} set currency_code = 'USD' where currency_code is not null")
    finally:
        con.close()
    return warehouse


def test_purchases_without_a_rate_still_count_for_frequency_and_recency(dollar_shop):
    result = _value_build(dollar_shop)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())
    purchases = _rows(dollar_shop, "select count(*) from intermediate.int_customer_purchases")[0][0]
    assert f"value: {purchases:,} purchases in USD, a currency without a rate" in output
    buyers = _rows(
        dollar_shop,
        "select count(*), count(btyd_frequency), count(probability_alive), count(expected_purchases), "
        "sum(net_revenue), sum(unconverted_order_count) > 0 from marts.customer_ltv where has_purchased",
    )[0]
    assert buyers[0] > 100 and buyers[0] == buyers[1] == buyers[2] == buyers[3]
    assert buyers[4] == 0 and buyers[5]  # no money figure without a rate, and the orders are flagged
    assert _rows(
        dollar_shop, "select count(*) from marts.customer_rfm where recency_days is null and has_purchased"
    ) == [(0,)]


def test_a_shop_in_any_single_currency_works_by_setting_the_reporting_currency(dollar_shop):
    result = _value_build(dollar_shop, "--vars", json.dumps({"cdp_reporting_currency": "usd"}))
    assert result.exit_code == 0, result.output
    assert "without a rate" not in result.output
    assert _rows(
        dollar_shop,
        "select count(*) = count(net_revenue), sum(net_revenue) > 0, sum(unconverted_order_count) "
        "from marts.customer_ltv where has_purchased",
    ) == [(True, True, 0)]


# --- the rule, and the loader's view of it ----------------------------------------------------------------------


@pytest.mark.parametrize("source", SOURCES, ids=lambda source: source.name)
def test_a_bad_optional_value_never_quarantines_a_record(source):
    """A base model's quarantine checks (the CASE of its `checked` step) name required columns only, and every
    optional column staging checks has its delivered text beside it, for audit_nulled_fields."""
    sql = (PROJECT_DIR / "models" / "staging" / source.system / "base" / f"{source.base_model}.sql").read_text()
    checks = sql[sql.index("checked as (") : sql.index("end as rejection_reason")]
    named = set(re.findall(r"cdp_\w+\(\s*'(\w+)'", checks)) | set(re.findall(r"when\s+(?:not\s+)?(\w+)", checks))
    named = {name.removesuffix("_delivered") for name in named}
    optional = {column.name for column in source.columns if not column.required}
    assert not named & optional, f"{source.base_model} quarantines on optional columns {sorted(named & optional)}"
    for column in source.columns:
        if column.nulled_when_invalid:
            assert re.search(rf"\bas {column.name}\b", sql) and f" as {column.name}_delivered" in sql, column.name


def test_the_loader_and_staging_agree_on_what_is_not_of_its_type(built_warehouse):
    """What `cdp load` announces (cdp_runner/ingest/values.py) is what staging does, value by value, over every
    generated source: optional values nulled as not of their type, required ones quarantining their record."""
    warehouse = built_warehouse.warehouse
    for source in SOURCES:
        for column in source.columns:
            if column.type == "string":
                continue
            flagged = set(
                _rows(
                    warehouse,
                    f"select _load_id, _row_number from raw.{source.name} "
                    f"where _parse_error is null and {cleaned(column.name)} is not null "
                    f"and not {parses(column.type, column.name)}",
                )
            )
            if column.required:
                quarantined = set(
                    _rows(
                        warehouse,
                        "select load_id, source_row_number from audit.audit_quarantined_rows where source_name = ?",
                        [source.name],
                    )
                )
                assert flagged <= quarantined, (source.name, column.name)
            else:
                nulled = set(
                    _rows(
                        warehouse,
                        "select load_id, source_row_number from audit.audit_nulled_fields "
                        "where source_name = ? and column_name = ? and reason like 'not a%' "
                        "and reason <> 'not an accepted value'",
                        [source.name, column.name],
                    )
                )
                in_staged_records = set(
                    _rows(
                        warehouse,
                        f"select load_id, source_row_number from staging.{source.base_model} "
                        "where rejection_reason is null",
                    )
                )
                assert flagged & in_staged_records == nulled, (source.name, column.name)


def test_the_loader_cleans_and_finds_missing_values_as_staging_does():
    """values.py's cleaning and its test for a missing value (without cleaning) against cdp_clean_string as the
    macros define it, on white space of every kind staging trims and the spellings of null. Both versions of
    cdp_trim_whitespace run here: DuckDB's and the default, which Spark takes."""
    macro = (PROJECT_DIR / "macros" / "normalize" / "cdp_trim_whitespace.sql").read_text()
    for version in ("duckdb__", "default__"):
        template = macro + f"{{{{ {version}cdp_trim_whitespace('v') }}}}"
        trimmed = jinja2.Environment(extensions=["jinja2.ext.do"]).from_string(template).render().strip()
        _check_cleaning_against(f"case when lower({trimmed}) in ('', 'null', 'nan') then null else {trimmed} end")


def _check_cleaning_against(staging: str) -> None:
    values = ["", " ", "\t", "\xa0", "\r\n", " NULL ", "\tnull\xa0", "NaN", "nan ", "Nan\n", "n a n", "nul", "nulls"]
    values += ["x", "  x  ", "\tx\ty\xa0", "x\xa0y\r\nz", "NULL\x0b", "\x0bnull", "none", "nA\tN"]
    values += ["x\ty", "x\ny", "x\ry", "x\xa0y"]  # one character inside a value: each must become a space
    values += ["\uff2e\uff35\uff2c\uff2c"]
    values += ["\u2003null\u3000", "\u1680", "\u205fNaN\u202f", "\u200b", "\u2028null", " \u200anull"]
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"select v, {cleaned('v')} is not distinct from {staging}, {missing('v')} = ({staging} is null) "
            "from (select unnest(?::varchar[]) as v union all select null)",
            [values],
        ).fetchall()
    finally:
        con.close()
    assert [row for row in rows if not (row[1] and row[2])] == []
    assert len(rows) == len(values) + 1


def test_the_loaders_shortcut_for_plain_timestamps_gives_its_rules_answer():
    """values.py casts a timestamp written without white space at once (_plain_timestamp); on every kind of text the
    answer is the one its full rule gives after cleaning, which the test above ties to staging."""
    rule = f"coalesce({loader_values._PARSES['timestamp'].replace('{value}', cleaned('v'))}, false)"
    texts = ["2024-03-05T08:23:22Z", "2024-03-05T08:23:22+01:00", "2024-03-05 08:23:22-05:30", "2024-03-05T08:23:22"]
    texts += ["2025-02-11T11:32:20.431Z", "2024-03-05 08:23:22.5", "2023-07-13 17:48:44+00:00", "2024-02-30T10:00:00Z"]
    texts += ["2024-03-05T25:00:00Z", "2024-03-05T08:23:22z", "2024-03-05T08:23:22+0100", "2024-03-05T08:23:22 Z"]
    texts += [" 2024-03-05T08:23:22Z", "2024-03-05T08:23:22Z\t", "2024-03-05T08:23:22Z\xa0", "2024-03-05", "last week"]
    texts += ["2024-03-05T08:23Z", "2024-3-5T08:23:22Z", "2024-03-05T08:23:22+01", "2024-03-05T08:23:22.Z", "null", ""]
    texts += [
        "2024-03-05T08:23:22+99:00",
        "0000-01-01T00:00:00Z",
        "2024-03-05T08:23:22+01:00\n",
        "2024-03-05\t08:23:22",
    ]
    con = duckdb.connect()
    try:
        rows = con.execute(
            f"select v, {parses('timestamp', 'v')}, {rule} "
            "from (select unnest(?::varchar[]) as v union all select null)",
            [texts],
        ).fetchall()
    finally:
        con.close()
    assert [row for row in rows if row[1] != row[2]] == []
    assert {row[1] for row in rows} == {True, False}
