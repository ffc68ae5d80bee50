"""Value marts on the built 1,500-customer warehouse: customer_ltv predictions against cdp_runner.value.ltv computed
independently, the reference date (a past as_of_date reproduces a past state: deleting everything after it changes
nothing), and the fitted BG/NBD parameters against the generator's.

Tolerances for the parameters (docs/value-marts.md): fitted on the warehouse's own purchase transactions mapped to
the generator's true persons (_truth/ground_truth.parquet), BG/NBD must be within 4 standard errors of the
generator's r, alpha, a, b (about 1,000 buyers: se ~6% for r, 8% for alpha, 17% for a, 23% for b). The fit on the
resolved customers is biased by identity resolution, not by the fit: store purchases without a loyalty card or
e-mail cannot be linked to their buyer, so resolved histories miss repeat purchases and r comes out lower; the test
checks that direction and a wide band.
"""

from __future__ import annotations

import json
import math
import shutil

import duckdb
import numpy as np
import pytest

from cdp_runner.dbt import run_dbt
from cdp_runner.value import ltv, ltv_io

PAST = "2025-12-31"


def _con(warehouse):
    return duckdb.connect(str(warehouse), read_only=True)


def _params(con) -> dict[tuple[str, str], float]:
    rows = con.execute("select model_name, parameter_name, parameter_value from marts.ltv_model_params").fetchall()
    return {(model, name): value for model, name, value in rows}


def test_value_marts_have_one_row_per_customer_and_a_converged_fit(built_warehouse):
    with _con(built_warehouse.warehouse) as con:
        customers = con.execute("select count(*) from marts.dim_customers").fetchall()[0][0]
        for mart in ("customer_rfm", "customer_ltv", "customer_churn_risk", "customer_value_tier"):
            assert con.execute(f"select count(*), count(distinct customer_id) from marts.{mart}").fetchall()[0] == (
                customers,
                customers,
            )
        fits = con.execute("""select model_name, bool_and(is_converged), bool_or(is_fallback), max(time_unit),
                                     max(customer_count), count(distinct as_of_date)
                              from marts.ltv_model_params where model_name <> 'prediction'
                              group by 1 order by 1""").fetchall()
        assert [f[0] for f in fits] == ["bgnbd", "gamma_gamma"]
        assert all(f[1] and not f[2] and f[3] == "days" and f[4] > 500 and f[5] == 1 for f in fits), fits
        # the default reference date is the latest shop order or till receipt, not the latest web event
        as_of, latest_transaction = con.execute("""
            select (select max(as_of_date) from marts.customer_rfm),
                   (select cast(max(observed_at) as date) from marts.identity_record_map
                    where source_name in ('shop_orders', 'pos_transactions'))""").fetchall()[0]
        assert as_of == latest_transaction
        buyers = con.execute("""select count(*), count(rfm_segment), count(distinct rfm_segment)
                                from marts.customer_rfm where has_purchased""").fetchall()[0]
        assert buyers[0] == buyers[1] > 500 and buyers[2] >= 6
        assert (
            con.execute(
                "select count(*) from marts.customer_ltv where not has_purchased and expected_purchases is not null"
            ).fetchall()[0][0]
            == 0
        )


def test_customer_ltv_predictions_match_the_formulas(built_warehouse):
    with _con(built_warehouse.warehouse) as con:
        params = _params(con)
        rows = con.execute("""
            select btyd_frequency, btyd_recency_days, btyd_t_days, btyd_monetary, btyd_monetary_days, probability_alive,
                   expected_purchases, expected_average_order_value, predicted_clv, horizon_days, discount_rate_annual
            from marts.customer_ltv
            where has_purchased
            order by btyd_frequency desc, customer_id""").fetchall()
        summaries = con.execute("""select btyd_frequency, btyd_recency_days, btyd_t_days
                                   from intermediate.int_customer_btyd_summary where is_in_model_fit""").fetchnumpy()
    bg = {k: params[("bgnbd", k)] for k in ltv.BGNBD_PARAMS}
    gg = {k: params[("gamma_gamma", k)] for k in ltv.GAMMA_GAMMA_PARAMS}
    # the stored estimates are the maximum-likelihood fit of the summaries (refitted here independently)
    refit = ltv.fit_bgnbd(summaries["btyd_frequency"], summaries["btyd_recency_days"], summaries["btyd_t_days"])
    for name in ltv.BGNBD_PARAMS:
        assert refit.params[name] == pytest.approx(bg[name], rel=1e-6)
    r, alpha, a, b = (bg[k] for k in ltv.BGNBD_PARAMS)
    p, q, v = (gg[k] for k in ltv.GAMMA_GAMMA_PARAMS)
    # a few customers: the most frequent, a middling repeat buyer, a one-time buyer
    picked = [rows[0], rows[len(rows) // 10], rows[-1]]
    assert picked[0][0] > 3 and picked[-1][0] == 0
    for x, tx, T, m, k, alive, expected, value, clv, horizon, rate in picked:
        hand_alive = 1.0 if x == 0 else 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))
        assert alive == pytest.approx(hand_alive, rel=1e-9)
        assert expected == pytest.approx(
            ltv.expected_purchases(horizon, [x], [tx], [T], bg, method="quadrature")[0], rel=1e-6
        )
        own = k if (k > 0 and m > 0) else 0
        assert value == pytest.approx(p * (v + own * (m if own else 0)) / (p * own + q - 1), rel=1e-9)
        # CLV: monthly steps of 365.25/12 days up to the horizon, each discounted from its end
        steps = np.minimum(np.arange(1, math.ceil(horizon / ltv.MONTH_DAYS) + 1) * ltv.MONTH_DAYS, horizon)
        cumulative = ltv.expected_purchases(steps, [x] * len(steps), [tx] * len(steps), [T] * len(steps), bg)
        increments = np.diff(np.r_[0.0, cumulative])
        hand_clv = value * float(
            sum(inc * (1 + rate) ** (-t / 365.25) for inc, t in zip(increments, steps, strict=True))
        )
        assert clv == pytest.approx(hand_clv, rel=1e-6)


def _build_value(warehouse, as_of: str):
    outcome = run_dbt(
        ["run", "--select", "int_customer_purchases+", "--vars", json.dumps({"as_of_date": as_of})], warehouse=warehouse
    )
    assert outcome.success, outcome.errors


def _snapshot(warehouse) -> dict[str, list[tuple]]:
    with _con(warehouse) as con:
        return {
            mart: con.execute(f"select * from marts.{mart} order by customer_id").fetchall()
            for mart in ("customer_rfm", "customer_ltv", "customer_churn_risk", "customer_value_tier")
        } | {
            "params": con.execute("""select model_name, parameter_role, parameter_name, parameter_value, log_likelihood
                                       from marts.ltv_model_params order by 1, 2, 3""").fetchall()
        }


def test_a_past_as_of_date_uses_nothing_after_it(built_warehouse, tmp_path):
    """Rebuild the value marts as of PAST, then delete every order and till receipt after PAST from staging and
    rebuild: the marts (and the fitted parameters) must be identical - nothing after the date was used."""
    warehouse = tmp_path / "past.duckdb"
    shutil.copy(built_warehouse.warehouse, warehouse)
    _build_value(warehouse, PAST)
    before = _snapshot(warehouse)
    with duckdb.connect(str(warehouse)) as con:
        assert con.execute("select max(as_of_date) from marts.customer_ltv").fetchall()[0][0].isoformat() == PAST
        assert (
            con.execute("select max(last_purchase_date) from marts.customer_rfm").fetchall()[0][0].isoformat() <= PAST
        )
        later = con.execute(f"""
            select (select count(*) from staging.stg_shop__orders where cast(ordered_at as date) > date '{PAST}')
                 + (select count(*) from staging.stg_pos__transactions where cast(occurred_at as date) > date '{PAST}')
        """).fetchall()[0][0]
        assert later > 500  # the deletion below removes real data
        con.execute(f"delete from staging.stg_shop__orders where cast(ordered_at as date) > date '{PAST}'")
        con.execute(f"delete from staging.stg_pos__transactions where cast(occurred_at as date) > date '{PAST}'")
    _build_value(warehouse, PAST)
    after = _snapshot(warehouse)
    assert after == before
    # and the past state differs from the present one
    assert before["params"] != _snapshot(built_warehouse.warehouse)["params"]


def test_fitted_parameters_against_the_generator(built_warehouse):
    truth = json.loads((built_warehouse.truth_dir / "generator_params.json").read_text())["processes"]["purchase"]
    with _con(built_warehouse.warehouse) as con:
        fitted = _params(con)
        as_of = con.execute("select max(as_of_date) from marts.customer_ltv").fetchall()[0][0]
        con.execute(f"""
            create temp table person_purchases as
            select persons.person_id as customer_id, purchases.purchase_date,
                   cast(purchases.net_amount as double) as amount, purchases.is_purchase
            from intermediate.int_customer_purchases as purchases
            inner join '{built_warehouse.truth_dir / "ground_truth.parquet"}' as persons
                using (source_name, record_key)
            where not purchases.is_unconverted""")
        summaries = con.sql(ltv_io.summary_sql("person_purchases", as_of, is_purchase="is_purchase")).fetchnumpy()
    by_person = ltv.fit_bgnbd(summaries["frequency"], summaries["recency"], summaries["T"])
    assert by_person.converged and by_person.n_customers > 800
    for name in ltv.BGNBD_PARAMS:
        estimate, se = by_person.params[name], by_person.std_errors[name]
        assert abs(estimate - truth[name]) < 4 * se, (name, estimate, se, truth[name])
    # resolved customers: the same process seen through identity resolution (repeats lost to unlinked receipts)
    assert fitted[("bgnbd", "r")] < by_person.params["r"]
    assert 0.4 < fitted[("bgnbd", "r")] < 1.0 and 30 < fitted[("bgnbd", "alpha")] < 90
    assert 0.4 < fitted[("bgnbd", "a")] < 2.0 and 1.5 < fitted[("bgnbd", "b")] < 8.0
