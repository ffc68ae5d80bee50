"""Lifetime value: BG/NBD and Gamma-Gamma fits, per-customer predictions, fallbacks, summaries, DuckDB I/O.

Recovery tests simulate the exact generative processes (bench/ltv_simulate.py) from known parameters
and fit them back. Tolerances (docs/lifetime-value.md): at 50,000 customers with the generator's
parameters the standard errors are about 0.9% (r), 1.2% (alpha), 2.5% (a), 3.4% (b); Gamma-Gamma on
~37,000 repeat buyers 2.8% (p), 1.1% (q), 3.9% (v). A 40-seed study at 20,000 customers never exceeded 3
standard errors; the tests ask for both a relative tolerance and |estimate - truth| < 4 standard errors.
Seeds are fixed, so the tests are deterministic.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from scipy import integrate, special, stats

from bench.ltv_simulate import simulate_bgnbd, simulate_bgnbd_days, simulate_mean_spend, simulate_spend
from cdp_runner.value import ltv, ltv_io

duckdb = pytest.importorskip("duckdb")

GEN: dict[str, Any] = {"r": 0.8, "alpha": 60.0, "a": 0.8, "b": 3.0}  # cdp_runner.generator.params.PurchaseProcess
ALT: dict[str, Any] = {"r": 2.0, "alpha": 30.0, "a": 2.5, "b": 6.0}  # a > 1, faster buyers
SPEND: dict[str, Any] = {"p": 6.0, "q": 4.0, "v": 30.0}  # SpendProcess (v is the generator's gamma)


def generator_ages(rng, n, history=1095):
    """Days since the first purchase, spread like the generator's acquisitions (a growing business)."""
    return history * (1 - rng.random(n) ** 0.75)


def assert_recovered(fit, truth, relative):
    assert fit.converged and not fit.fallback, fit
    for name, tolerance in relative.items():
        estimate, se = fit.params[name], fit.std_errors[name]
        assert abs(estimate / truth[name] - 1) < tolerance, (name, estimate, truth[name])
        assert 0 < se < 0.2 * truth[name] and abs(estimate - truth[name]) < 4 * se, (name, estimate, se)


# --- summaries ----------------------------------------------------------------------------------------

HAND: dict[str, Any] = {  # customer, day, amount, is_purchase
    "rows": [
        ("A", 0, 10.0, True),
        ("A", 0, 5.0, True),  # two orders on the first day
        ("A", 3, 20.0, True),
        ("A", 3, -20.0, False),  # bought and returned the same day: net 0
        ("A", 7, 30.0, True),
        ("A", 9, -5.0, False),  # a return on its own day is not a purchase day
        ("A", 12, 99.0, True),  # after the reference day
        ("B", 4, 25.0, True),  # one-time buyer
        ("C", 1, 40.0, True),
        ("C", 5, 15.0, True),
        ("C", 5, -18.0, True),  # repeat day with a net refund
        ("D", 11, 50.0, True),  # first purchase after the reference day
        ("E", 2, -30.0, False),  # only a return
    ],
    "reference_day": 10,
    "expected": {  # frequency, recency, T, monetary, monetary_count
        "A": (2, 7, 10, 30.0, 1),
        "B": (0, 0, 6, 0.0, 0),
        "C": (1, 4, 9, 0.0, 0),
    },
}


def test_summary_convention_by_hand():
    customer, day, amount, purchase = zip(*HAND["rows"], strict=True)
    s = ltv.summarise_purchases(
        np.array(customer), np.array(day), np.array(amount), HAND["reference_day"], np.array(purchase)
    )
    got = {
        c: (f, r, t, m, k)
        for c, f, r, t, m, k in zip(
            s["customer"], s["frequency"], s["recency"], s["T"], s["monetary"], s["monetary_count"], strict=True
        )
    }
    assert got == HAND["expected"]


def test_summary_accepts_dates():
    days = np.array(["2026-01-01", "2026-01-01", "2026-01-15", "2026-02-01"], dtype="datetime64[D]")
    s = ltv.summarise_purchases(
        np.array([1, 1, 1, 1]), days, np.array([10.0, 5.0, 20.0, 40.0]), np.datetime64("2026-03-01")
    )
    assert s["frequency"].tolist() == [2] and s["recency"].tolist() == [31] and s["T"].tolist() == [59]
    assert s["monetary"].tolist() == [30.0] and s["monetary_count"].tolist() == [2]


def _transactions_relation(con, customer, day, amount, purchase):
    con.register(
        "tx_upload",
        pa.table(
            {
                "customer_id": pa.array(customer),
                "purchase_date": pa.array(np.asarray(day, dtype="datetime64[D]")),
                "amount": pa.array(amount, pa.float64()),
                "is_purchase": pa.array(purchase),
            }
        ),
    )
    con.execute("create or replace table tx as select * from tx_upload")
    con.unregister("tx_upload")


def test_summary_sql_matches_numpy_by_hand_and_at_random():
    con = duckdb.connect()
    base = np.datetime64("2026-01-01")
    customer, day, amount, purchase = zip(*HAND["rows"], strict=True)
    _transactions_relation(con, list(customer), [base + d for d in day], list(amount), list(purchase))
    ref = base + HAND["reference_day"]
    rows = con.sql(ltv_io.summary_sql("tx", ref.item(), is_purchase="is_purchase")).fetchall()
    assert {r[0]: tuple(r[1:]) for r in rows} == HAND["expected"]

    rng = np.random.default_rng(4)
    n = 4000
    customers = rng.integers(0, 600, n)
    days = rng.integers(0, 400, n)
    amounts = np.round(rng.normal(30, 40, n), 2)  # about a quarter negative
    purchases = rng.random(n) < 0.85
    _transactions_relation(con, customers.tolist(), [base + int(d) for d in days], amounts.tolist(), purchases.tolist())
    sql = con.sql(ltv_io.summary_sql("tx", date(2026, 12, 1), is_purchase="is_purchase")).fetchall()
    s = ltv.summarise_purchases(customers, days, amounts, (np.datetime64("2026-12-01") - base).astype(int), purchases)
    assert len(sql) == len(s["customer"]) > 500
    by_id = {r[0]: r[1:] for r in sql}
    for i, c in enumerate(s["customer"]):
        f, r, t, m, k = by_id[c]
        assert (f, r, t, k) == (s["frequency"][i], s["recency"][i], s["T"][i], s["monetary_count"][i])
        assert m == pytest.approx(s["monetary"][i], abs=1e-9)
    assert (s["monetary_count"] < s["frequency"]).any() and (s["monetary"] > 0).any()  # refunds were exercised


# --- BG/NBD likelihood -----------------------------------------------------------------------------------


def test_log_likelihood_matches_the_formula_by_hand():
    r, alpha, a, b = 0.8, 60.0, 0.8, 3.0
    for x, tx, T in [(0, 0, 100.0), (1, 30.0, 100.0), (4, 250.0, 400.0)]:
        a1 = math.gamma(r + x) * alpha**r / math.gamma(r)
        a2 = math.gamma(a + b) * math.gamma(b + x) / (math.gamma(b) * math.gamma(a + b + x))
        a3 = (1 / (alpha + T)) ** (r + x)
        a4 = a / (b + x - 1) * (1 / (alpha + tx)) ** (r + x) if x > 0 else 0.0
        expected = math.log(a1 * a2 * (a3 + a4))
        assert ltv.bgnbd_log_likelihood((r, alpha, a, b), [x], [tx], [T])[0] == pytest.approx(expected, rel=1e-12)


def test_log_likelihood_matches_integrating_the_individual_model():
    """L(x, t_x, T) = E over the priors of (1-p)^x lam^x e^(-lam T) + [x>0] p (1-p)^(x-1) lam^x e^(-lam t_x)."""
    r, alpha, a, b = 0.8, 60.0, 0.8, 3.0
    for x, tx, T in [(0, 0.0, 200.0), (3, 120.0, 300.0)]:

        def integrand(v, u, x=x, tx=tx, T=T):  # lam = v^(1/r), p = u^(1/a) remove the prior singularities at 0
            lam, p = v ** (1 / r), u ** (1 / a)
            individual = (1 - p) ** x * lam**x * math.exp(-lam * T)
            if x > 0:
                individual += p * (1 - p) ** (x - 1) * lam**x * math.exp(-lam * tx)
            prior = (
                alpha**r / (r * math.gamma(r)) * math.exp(-alpha * lam) * (1 - p) ** (b - 1) / (a * special.beta(a, b))
            )
            return prior * individual

        value, _ = integrate.dblquad(integrand, 0, 1, 0, 2.0**r, epsabs=0, epsrel=1e-10)
        assert ltv.bgnbd_log_likelihood(GEN, [x], [tx], [T])[0] == pytest.approx(math.log(value), abs=1e-7)


def test_factored_likelihood_and_gradient():
    rng = np.random.default_rng(8)
    T = np.floor(generator_ages(rng, 3000))
    x, tx = simulate_bgnbd(rng, T, **GEN)
    tx = np.floor(tx)
    (gx, gtx, gT), inverse, counts = ltv.group_rows(x.astype(float), tx, T)
    data = ltv._BgnbdData(gx, gtx, gT, counts.astype(float))
    point = np.array([0.7, 50.0, 0.9, 2.5])
    value, grad = data.value_and_gradient(*point)
    assert value == pytest.approx(ltv.bgnbd_log_likelihood(point, x, tx, T).sum(), rel=1e-12)
    for i in range(4):
        h = 1e-6 * point[i]
        up, down = point.copy(), point.copy()
        up[i] += h
        down[i] -= h
        numeric = (data.value_and_gradient(*up)[0] - data.value_and_gradient(*down)[0]) / (2 * h)
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-3)


def test_group_rows_integer_and_float_paths_agree():
    rng = np.random.default_rng(2)
    cols = [rng.integers(0, 5, 500).astype(float), rng.integers(0, 7, 500).astype(float)]
    (a, b), inverse, counts = ltv.group_rows(*cols)
    (fa, fb), finverse, fcounts = ltv.group_rows(cols[0] + 0.5, cols[1])  # not integers: lexsort path
    assert np.array_equal(a + 0.5, fa) and np.array_equal(b, fb) and np.array_equal(counts, fcounts)
    assert np.array_equal(a[inverse], cols[0]) and np.array_equal(fb[finverse], cols[1])
    assert counts.sum() == 500 and len(a) == len(set(zip(cols[0], cols[1], strict=True)))


# --- BG/NBD fit -----------------------------------------------------------------------------------------------


def test_bgnbd_recovers_the_generator_parameters():
    rng = np.random.default_rng(20260630)
    T = generator_ages(rng, 50_000)
    x, tx = simulate_bgnbd(rng, T, **GEN)
    fit = ltv.fit_bgnbd(x, tx, T)
    assert fit.n_customers == 50_000 and fit.time_unit == "days" and fit.iterations > 0
    assert_recovered(fit, GEN, {"r": 0.08, "alpha": 0.08, "a": 0.15, "b": 0.15})


def test_nelder_mead_finds_the_same_maximum():
    rng = np.random.default_rng(4)
    T = np.floor(generator_ages(rng, 5000))
    x, tx = simulate_bgnbd(rng, T, **GEN)
    tx = np.floor(tx)
    fit, nelder = ltv.fit_bgnbd(x, tx, T), ltv.fit_bgnbd(x, tx, T, method="Nelder-Mead")
    assert nelder.converged and "Nelder-Mead" in nelder.message and "L-BFGS-B" in fit.message
    assert nelder.log_likelihood == pytest.approx(fit.log_likelihood, abs=1e-4)
    for name in ltv.BGNBD_PARAMS:
        assert nelder.params[name] == pytest.approx(fit.params[name], rel=1e-3)


def test_bgnbd_recovers_other_parameters():
    rng = np.random.default_rng(7)
    T = rng.uniform(30, 730, 50_000)
    x, tx = simulate_bgnbd(rng, T, **ALT)
    assert_recovered(ltv.fit_bgnbd(x, tx, T), ALT, {"r": 0.08, "alpha": 0.08, "a": 0.15, "b": 0.15})


def test_bgnbd_on_day_level_summaries():
    """Whole days as the warehouse sees them: merging same-day purchases biases alpha up ~4% (measured at 1M)."""
    rng = np.random.default_rng(11)
    x, tx, T = simulate_bgnbd_days(rng, 50_000, 1095, **GEN)
    assert x.dtype.kind == "i" and (tx <= T).all() and (tx[x == 0] == 0).all()
    fit = ltv.fit_bgnbd(x, tx, T)
    assert fit.converged and not fit.fallback and fit.n_groups < 0.8 * 50_000
    for name, tolerance in {"r": 0.08, "alpha": 0.10, "a": 0.15, "b": 0.15}.items():
        assert abs(fit.params[name] / GEN[name] - 1) < tolerance, (name, fit.params[name])


def test_weights_equal_repeated_rows():
    rng = np.random.default_rng(3)
    T = np.floor(generator_ages(rng, 4000))
    x, tx = simulate_bgnbd(rng, T, **GEN)
    tx = np.floor(tx)
    twice = ltv.fit_bgnbd(np.r_[x, x], np.r_[tx, tx], np.r_[T, T])
    weighted = ltv.fit_bgnbd(x, tx, T, weights=np.full(len(x), 2.0))
    once = ltv.fit_bgnbd(x, tx, T)
    assert twice.n_customers == weighted.n_customers == 8000
    assert weighted.log_likelihood == pytest.approx(twice.log_likelihood, rel=1e-10)
    assert weighted.log_likelihood == pytest.approx(2 * once.log_likelihood, rel=1e-10)
    for name in ltv.BGNBD_PARAMS:
        assert weighted.params[name] == pytest.approx(twice.params[name], rel=1e-5)
        assert weighted.std_errors[name] == pytest.approx(once.std_errors[name] / math.sqrt(2), rel=1e-3)


# --- BG/NBD predictions -------------------------------------------------------------------------------------


def test_probability_alive_by_hand():
    assert ltv.probability_alive([0, 0], [0, 0], [5.0, 900.0], GEN).tolist() == [1.0, 1.0]  # no repeat: alive
    r, alpha, a, b = GEN.values()
    x, tx, T = 2, 100.0, 300.0
    expected = 1 / (1 + a / (b + x - 1) * ((alpha + T) / (alpha + tx)) ** (r + x))
    assert expected == pytest.approx(0.34048, abs=1e-5)
    assert ltv.probability_alive([x], [tx], [T], GEN)[0] == pytest.approx(expected, rel=1e-13)
    later = ltv.probability_alive([2, 2, 2], [100.0] * 3, [100.0, 300.0, 900.0], GEN)
    assert later[0] > later[1] > later[2] > 0


def test_new_customer_expectation_is_eq9_and_matches_simulation():
    t = np.array([30.0, 365.0, 1095.0])
    r, alpha, a, b = GEN.values()
    eq9 = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, t / (alpha + t)))
    assert np.allclose(ltv.expected_purchases_new_customer(t, GEN), eq9, rtol=1e-10)
    rng = np.random.default_rng(5)
    x, _ = simulate_bgnbd(rng, np.full(200_000, 365.0), **GEN)
    se = x.std() / math.sqrt(len(x))
    assert abs(x.mean() - eq9[1]) < 4 * se and se < 0.01 * eq9[1]


def _posterior_expectation_by_integration(params, x, tx, T, t):
    """E[Y(t) | x, t_x, T] = E_prior[L_alive(lam, p) (1 - e^(-lam p t)) / p] / E_prior[L(lam, p)], numerically."""
    r, alpha, a, b = params

    def weight(v, u, future):
        lam, p = v ** (1 / r), u ** (1 / a)
        alive = (1 - p) ** x * lam**x * math.exp(-lam * T)
        if future:
            return math.exp(-alpha * lam) * (1 - p) ** (b - 1) * alive * -math.expm1(-lam * p * t) / p
        dead = p * (1 - p) ** (x - 1) * lam**x * math.exp(-lam * tx) if x > 0 else 0.0
        return math.exp(-alpha * lam) * (1 - p) ** (b - 1) * (alive + dead)

    top = integrate.dblquad(lambda v, u: weight(v, u, True), 0, 1, 0, 2.0**r, epsabs=0, epsrel=1e-10)[0]
    bottom = integrate.dblquad(lambda v, u: weight(v, u, False), 0, 1, 0, 2.0**r, epsabs=0, epsrel=1e-10)[0]
    return top / bottom


@pytest.mark.parametrize("params", [GEN, ALT], ids=["a<1", "a>1"])
def test_conditional_expectation_matches_numerical_integration(params):
    values = tuple(params.values())
    for x, tx, T, t in [(3, 100.0, 300.0, 365.0), (0, 0.0, 50.0, 180.0), (12, 700.0, 720.0, 730.0)]:
        expected = _posterior_expectation_by_integration(values, x, tx, T, t)
        got = ltv.expected_purchases(t, [x], [tx], [T], params)[0]
        assert got == pytest.approx(expected, rel=1e-6)
        quadrature = ltv.expected_purchases(t, [x], [tx], [T], params, method="quadrature")[0]
        assert quadrature == pytest.approx(expected, rel=1e-6)


def test_conditional_expectation_matches_monte_carlo():
    """Importance sampling from the priors with the individual-level likelihood, then the future simulated."""
    x, tx, T, t = 3, 100.0, 300.0, 365.0
    rng = np.random.default_rng(12)
    n = 400_000
    lam, p = rng.gamma(GEN["r"], 1 / GEN["alpha"], n), rng.beta(GEN["a"], GEN["b"], n)
    alive_like = (1 - p) ** x * lam**x * np.exp(-lam * T)
    weight = alive_like + p * (1 - p) ** (x - 1) * lam**x * np.exp(-lam * tx)
    alive = rng.random(n) < alive_like / weight
    future = np.zeros(n)
    future[alive], _ = simulate_bgnbd(rng, np.full(alive.sum(), t), 0, 0, 0, 0, rates=lam[alive], dropouts=p[alive])
    w = weight / weight.sum()
    estimate = float(w @ future)
    se = math.sqrt(float(w**2 @ (future - estimate) ** 2))
    exact = ltv.expected_purchases(t, [x], [tx], [T], GEN)[0]
    assert se < 0.03 * exact and abs(estimate - exact) < 4 * se, (estimate, se, exact)
    alive_share = float(w @ (alive_like / weight))
    assert alive_share == pytest.approx(ltv.probability_alive([x], [tx], [T], GEN)[0], rel=1e-2)


def test_limits_of_the_conditional_expectation():
    x, tx, T = np.array([0, 2, 7]), np.array([0.0, 40.0, 200.0]), np.array([10.0, 100.0, 365.0])
    r, alpha, a, b = ALT.values()
    alive = ltv.probability_alive(x, tx, T, ALT)
    small = ltv.expected_purchases(1e-3, x, tx, T, ALT)  # at first the purchase rate of the posterior
    assert np.allclose(small / 1e-3, alive * (r + x) / (alpha + T), rtol=1e-3)
    huge = ltv.expected_purchases(1e8, x, tx, T, ALT)  # eventually E[1/p] for a > 1
    assert np.allclose(huge, alive * (a + b + x - 1) / (a - 1), rtol=1e-3)
    grid = ltv.expected_purchases(np.array([[30.0, 90.0, 365.0, 3650.0]]), x[:, None], tx[:, None], T[:, None], ALT)
    assert grid.shape == (3, 4) and (np.diff(grid, axis=1) > 0).all()


def _reference_alive_expectation(r, alpha, a, b, x, T, t):
    """Adaptive quadrature of E_p[(1 - (1 + k p)^-(r+x)) / p], p ~ Beta(a, b + x)."""
    k, m = t / (alpha + T), r + x

    def f(p):
        return (
            -math.expm1(-m * math.log1p(k * p))
            / p
            * math.exp((a - 1) * math.log(p) + (b + x - 1) * math.log1p(-p) - special.betaln(a, b + x))
        )

    points = sorted({min(0.5, 1 / k), 1e-6, 1e-4, 1e-2, 0.1})
    return integrate.quad(f, 0, 1, limit=1000, epsabs=0, epsrel=1e-12, points=points)[0]


@pytest.mark.parametrize(
    "case",
    [
        (0.8, 60.0, 0.8, 3.0, 500, 1000.0, 3650.0),  # large x: 2F1(r+x, b+x; ...) overflows
        (0.8, 60.0, 0.8, 3.0, 200, 50.0, 3650.0),
        (0.8, 60.0, 1.8, 3.0, 0, 1.0, 1e5),  # C - A - B = 0 after Euler's transformation, z near 1
        (0.8, 60.0, 0.8, 3.0, 0, 1.0, 1e5),  # C - A - B = -1 in the direct form
        (1.8, 60.0, 0.8, 3.0, 100, 1.0, 1e5),
        (0.8, 60.0, 1.0, 3.0, 5, 300.0, 365.0),  # a = 1: the closed form is 0/0
        (0.8, 60.0, 1.0 + 1e-7, 3.0, 0, 0.0, 365.0),
    ],
)
def test_hard_cases_of_the_hypergeometric_formula(case):
    r, alpha, a, b, x, T, t = case
    params, tx = (
        {"r": r, "alpha": alpha, "a": a, "b": b},
        (T if x else 0.0),
    )  # repeat buyers bought on the reference day
    expected = _reference_alive_expectation(r, alpha, a, b, x, T, t)
    value, quad = ltv.expected_purchases(t, [x], [tx], [T], params, return_method=True)
    alive = ltv.probability_alive([x], [tx], [T], params)[0]
    assert value[0] == pytest.approx(alive * expected, rel=1e-7)
    if abs(a - 1) < ltv.NEAR_ONE:
        assert quad[0]


def test_predict_labels_the_method():
    spend = ltv.FitResult("gamma_gamma", SPEND, {}, 0.0, 2, 2, 2, True, 1, "", False, None)
    x, tx, T, m = [2, 2000], [50.0, 1990.0], [100.0, 2000.0], [40.0, 55.0]
    labels = {}
    for a in (0.999, 1.0, 1.001):
        fit = ltv.FitResult("bgnbd", {**GEN, "a": a}, {}, 0.0, 2, 2, 2, True, 1, "", False, None)
        labels[a] = ltv.predict(fit, spend, x, tx, T, m, horizon_days=3650)
        assert np.isfinite(labels[a].clv).all() and (labels[a].expected_purchases > 0).all()
    assert labels[1.0].purchases_method.tolist() == [ltv.QUADRATURE] * 2  # a = 1: only the quadrature
    assert labels[1.001].purchases_method.tolist() == [ltv.CLOSED_FORM] * 2
    around = (labels[0.999].expected_purchases + labels[1.001].expected_purchases) / 2  # continuous in a
    assert np.allclose(labels[1.0].expected_purchases, around, rtol=1e-5)
    assert labels[1.0].spend_method.tolist() == [ltv.GAMMA_GAMMA] * 2


# --- Gamma-Gamma --------------------------------------------------------------------------------------------


def test_gamma_gamma_likelihood_and_mean_by_integration():
    p, q, v = SPEND.values()
    for x, m in [(1, 35.0), (4, 80.0), (12, 20.0)]:

        def density(nu, x=x, m=m):  # mean of x Gamma(p, nu) values is Gamma(p x, rate x nu)
            return stats.gamma.pdf(m, p * x, scale=1 / (x * nu)) * stats.gamma.pdf(nu, q, scale=1 / v)

        f = integrate.quad(density, 0, np.inf, epsabs=0, epsrel=1e-11)[0]
        assert ltv.gamma_gamma_log_likelihood(SPEND, [x], [m])[0] == pytest.approx(math.log(f), abs=1e-8)
        mean = integrate.quad(lambda nu: p / nu * density(nu), 0, np.inf, epsabs=0, epsrel=1e-11)[0] / f
        assert ltv.conditional_expected_order_value([x], [m], SPEND)[0] == pytest.approx(mean, rel=1e-8)
    # by hand: p (v + x m) / (p x + q - 1) = 6 (30 + 4 * 80) / (24 + 3)
    assert ltv.conditional_expected_order_value([4], [80.0], SPEND)[0] == pytest.approx(6 * 350 / 27, rel=1e-14)
    assert ltv.conditional_expected_order_value([0, 3], [0.0, -5.0], SPEND).tolist() == [60.0, 60.0]  # p v / (q - 1)


def test_gamma_gamma_factored_gradient():
    rng = np.random.default_rng(1)
    x = rng.integers(1, 9, 2000).astype(float)
    m, _ = simulate_mean_spend(rng, x.astype(int), **SPEND)
    data = ltv._GammaGammaData(x, m, np.ones(len(x)))
    point = np.array([5.0, 3.5, 25.0])
    value, grad = data.value_and_gradient(*point)
    assert value == pytest.approx(ltv.gamma_gamma_log_likelihood(point, x, m).sum(), rel=1e-12)
    for i in range(3):
        h = 1e-6 * point[i]
        up, down = point.copy(), point.copy()
        up[i] += h
        down[i] -= h
        numeric = (data.value_and_gradient(*up)[0] - data.value_and_gradient(*down)[0]) / (2 * h)
        assert grad[i] == pytest.approx(numeric, rel=1e-5, abs=1e-3)


def test_gamma_gamma_recovers_parameters_from_transactions():
    """Per-purchase values simulated, summarised by the convention, fitted."""
    rng = np.random.default_rng(21)
    n = 50_000
    T = np.floor(generator_ages(rng, n))
    x, _ = simulate_bgnbd(rng, T, **GEN)
    _, owner, values = simulate_spend(rng, x + 1, **SPEND)  # first purchase + repeats
    rank = np.arange(len(owner)) - np.searchsorted(owner, owner)  # 0 for each customer's first value
    s = ltv.summarise_purchases(owner, rank, values, int(rank.max()))  # one purchase per distinct "day"
    assert np.array_equal(s["frequency"], x) and np.array_equal(s["monetary_count"], x)
    fit = ltv.fit_gamma_gamma(s["monetary_count"], s["monetary"])
    assert fit.n_customers == n and fit.n_used == int((x > 0).sum())
    assert_recovered(fit, SPEND, {"p": 0.15, "q": 0.08, "v": 0.15})


def test_gamma_gamma_ignores_one_time_buyers_and_refunds():
    rng = np.random.default_rng(9)
    x = rng.integers(1, 6, 3000)
    m, _ = simulate_mean_spend(rng, x, **SPEND)
    base = ltv.fit_gamma_gamma(x, m)
    extra = ltv.fit_gamma_gamma(np.r_[x, 0, 0, 3, 2], np.r_[m, 0.0, 0.0, 0.0, -12.5])
    assert extra.n_customers == base.n_customers + 4 and extra.n_used == base.n_used == 3000
    for name in ltv.GAMMA_GAMMA_PARAMS:
        assert extra.params[name] == pytest.approx(base.params[name], rel=1e-9)


# --- fallbacks ------------------------------------------------------------------------------------------------


def test_tiny_data_are_not_fitted_and_use_the_heuristic():
    x, tx, T = np.array([0, 1, 3, 0, 2]), np.array([0.0, 20, 80, 0, 50]), np.array([100.0, 100, 100, 40, 60])
    m = np.array([0.0, 30.0, 50.0, 0.0, -10.0])
    fit, spend = ltv.fit_bgnbd(x, tx, T), ltv.fit_gamma_gamma(x, m)
    for f in (fit, spend):
        assert f.fallback and not f.converged and "too few customers" in (f.fallback_reason or "") and f.params == {}
    pooled = 6 / 400
    assert fit.fallback_params["pooled_repeat_rate_per_day"] == pytest.approx(pooled)
    assert spend.fallback_params["population_mean_monetary"] == pytest.approx(40.0)
    pred = ltv.predict(fit, spend, x, tx, T, m, horizon_days=365, discount_rate_annual=0.0)
    rate = (x + 1) / (T + 1 / pooled)
    alive = np.exp(-rate * (T - tx))
    assert np.allclose(pred.p_alive, alive) and np.allclose(pred.expected_purchases, rate * 365 * alive)
    assert pred.purchases_method.tolist() == [ltv.HEURISTIC] * 5
    assert pred.spend_method.tolist() == [
        ltv.POPULATION_MEAN,
        ltv.CUSTOMER_MEAN,
        ltv.CUSTOMER_MEAN,
        ltv.POPULATION_MEAN,
        ltv.POPULATION_MEAN,
    ]
    assert np.allclose(pred.expected_order_value, [40, 30, 50, 40, 40])
    assert np.allclose(pred.clv, pred.expected_order_value * pred.expected_purchases)  # no discounting


def test_few_repeat_buyers_are_not_fitted():
    x = np.r_[np.ones(4), np.zeros(96)]
    fit = ltv.fit_bgnbd(x, x * 10, np.full(100, 200.0))
    assert fit.fallback and "4 repeat buyers (need 5)" in (fit.fallback_reason or "")
    assert not ltv.fit_bgnbd(x, x * 10, np.full(100, 200.0), min_repeat_customers=4).fallback


def test_non_convergence_is_flagged():
    rng = np.random.default_rng(6)
    T = generator_ages(rng, 2000)
    x, tx = simulate_bgnbd(rng, T, **GEN)
    fit = ltv.fit_bgnbd(x, tx, T, max_iterations=1)
    assert fit.fallback and not fit.converged and "did not converge" in (fit.fallback_reason or "") and fit.params
    pred = ltv.predict(fit, ltv.fit_gamma_gamma(x, np.zeros(len(x))), x, tx, T, np.zeros(len(x)))
    assert set(pred.purchases_method) == {ltv.HEURISTIC} and set(pred.spend_method) == {ltv.NO_SPEND_DATA}
    assert np.isnan(pred.clv).all()


def test_degenerate_spend_is_flagged():
    fit = ltv.fit_gamma_gamma(np.ones(200), np.full(200, 50.0))  # no spread: p and q run off to infinity
    assert fit.fallback and not fit.converged and "bound" in (fit.fallback_reason or "")


def test_q_at_most_one_falls_back():
    rng = np.random.default_rng(5)
    x = rng.integers(1, 6, 5000)
    m, _ = simulate_mean_spend(rng, x, 6.0, 0.7, 30.0)  # heavy tail: mean spend has no expectation
    fit = ltv.fit_gamma_gamma(x, m)
    assert fit.converged and fit.fallback and "<= 1" in (fit.fallback_reason or "")
    assert fit.params["q"] == pytest.approx(0.7, rel=0.1)
    with pytest.raises(ValueError):
        ltv.conditional_expected_order_value(x, m, fit.params)
    value, method = ltv.expected_order_value(x, m, fit)
    assert np.array_equal(value, m) and set(method) == {ltv.CUSTOMER_MEAN}


def test_invalid_summaries_are_refused():
    with pytest.raises(ValueError):
        ltv.fit_bgnbd([1], [5.0], [3.0])  # recency after T
    with pytest.raises(ValueError):
        ltv.fit_bgnbd([0], [2.0], [3.0])  # recency without a repeat purchase
    with pytest.raises(ValueError):
        ltv.probability_alive([-1], [0.0], [3.0], GEN)
    with pytest.raises(ValueError):
        ltv.expected_purchases(30.0, [1], [1.0], [3.0], {"r": 1, "alpha": 1, "a": -1, "b": 1})


# --- CLV ---------------------------------------------------------------------------------------------------------


def test_clv_discounts_monthly_increments():
    fit = ltv.FitResult("bgnbd", dict(GEN), {}, 0.0, 3, 3, 3, True, 1, "", False, None)
    spend = ltv.FitResult("gamma_gamma", dict(SPEND), {}, 0.0, 3, 3, 3, True, 1, "", False, None)
    x, tx, T, m = (
        np.array([0, 2, 9]),
        np.array([0.0, 100.0, 600.0]),
        np.array([30.0, 300.0, 700.0]),
        np.array([0.0, 45.0, 70.0]),
    )
    plain = ltv.predict(fit, spend, x, tx, T, m, horizon_days=365, discount_rate_annual=0.0, margin=0.4)
    aov = ltv.conditional_expected_order_value(x, m, SPEND)
    assert np.allclose(plain.clv, 0.4 * aov * ltv.expected_purchases(365.0, x, tx, T, GEN))
    pred = ltv.predict(fit, spend, x, tx, T, m, horizon_days=365, discount_rate_annual=0.12, margin=0.4)
    ends = [min(j * 365.25 / 12, 365.0) for j in range(1, 13)]  # 11 months of 30.44 days, then 30.19
    assert len(ends) == 12 and ends[-1] == 365.0 and ends[-2] < 365.0
    expected, previous = np.zeros(3), np.zeros(3)
    for end in ends:
        cumulative = ltv.expected_purchases(end, x, tx, T, GEN)
        expected += (cumulative - previous) * 1.12 ** (-end / 365.25)
        previous = cumulative
    assert np.allclose(pred.clv, 0.4 * aov * expected, rtol=1e-12)
    assert (pred.clv < plain.clv).all() and (pred.clv > plain.clv / 1.12).all()


# --- DuckDB ---------------------------------------------------------------------------------------------------------


def _simulated_transactions(rng, n, params=GEN, spend=SPEND):
    base = np.datetime64("2025-01-01")
    T = np.floor(rng.uniform(0, 540, n))
    owner, since = simulate_bgnbd(rng, T, **params, return_times=True)
    customer = np.r_[np.arange(n), owner]
    day = np.r_[np.zeros(n), np.floor(since)].astype(int)
    order = np.lexsort((day, customer))
    customer, day = customer[order], day[order]
    _, _, values = simulate_spend(rng, np.bincount(customer, minlength=n), **spend)
    first_day = 540 - T  # reference day 540
    dates = base + (first_day[customer] + day).astype("timedelta64[D]")
    refund = rng.random(len(values)) < 0.03
    values = np.where(refund, -values, values)
    return [f"C{c:05d}" for c in customer], dates, values, base + 540


def test_write_ltv_round_trip_through_duckdb():
    rng = np.random.default_rng(31)
    customer, dates, values, ref = _simulated_transactions(rng, 3000)
    con = duckdb.connect()
    _transactions_relation(con, customer, dates, values, [True] * len(values))
    con.execute("create table summaries as " + ltv_io.summary_sql("tx", ref.item()))
    out = ltv_io.write_ltv(
        con,
        "summaries",
        params_table="ltv.params",
        predictions_table="ltv.predictions",
        horizon_days=180,
        discount_rate_annual=0.08,
    )
    assert not out.bgnbd.fallback and not out.gamma_gamma.fallback
    rows = con.sql(
        "select customer_id, p_alive, expected_purchases, expected_order_value, clv, purchases_method, spend_method "
        "from ltv.predictions order by customer_id"
    ).fetchall()
    assert len(rows) == 3000 and {r[5] for r in rows} == {ltv.CLOSED_FORM} and {r[6] for r in rows} == {ltv.GAMMA_GAMMA}

    s = ltv.summarise_purchases(np.array(customer), dates, values, ref)  # the same by the numpy path
    fit = ltv.fit_bgnbd(s["frequency"], s["recency"], s["T"])
    spend = ltv.fit_gamma_gamma(s["monetary_count"], s["monetary"])
    pred = ltv.predict(
        fit,
        spend,
        s["frequency"],
        s["recency"],
        s["T"],
        s["monetary"],
        s["monetary_count"],
        horizon_days=180,
        discount_rate_annual=0.08,
    )
    assert [r[0] for r in rows] == s["customer"].tolist()
    assert np.allclose([r[1] for r in rows], pred.p_alive, rtol=1e-6)
    assert np.allclose([r[2] for r in rows], pred.expected_purchases, rtol=1e-6)
    assert np.allclose([r[4] for r in rows], pred.clv, rtol=1e-6)

    params = con.sql(
        "select model, role, parameter, value, std_error, converged, fallback, time_unit, n_customers from ltv.params"
    ).fetchall()
    estimates = {(m, p): v for m, role, p, v, *_ in params if role == "estimate"}
    assert estimates[("bgnbd", "alpha")] == pytest.approx(fit.params["alpha"], rel=1e-6)
    assert estimates[("gamma_gamma", "v")] == pytest.approx(spend.params["v"], rel=1e-6)
    assert {(m, p) for m, role, p, *_ in params if role == "setting"} >= {
        ("prediction", "horizon_days"),
        ("prediction", "discount_rate_annual"),
    }
    assert all(r[7] == "days" for r in params) and {r[8] for r in params if r[0] == "bgnbd"} == {3000}


def test_write_ltv_flags_fallbacks_in_the_tables():
    con = duckdb.connect()
    con.execute(
        "create table s as select * from (values ('a', 0, 0, 10, 0.0), ('b', 2, 30, 60, 25.0), ('c', 1, 5, 9, 12.0)) "
        'as t(customer_id, frequency, recency, "T", monetary)'
    )
    out = ltv_io.write_ltv(con, "s")
    assert out.bgnbd.fallback and out.gamma_gamma.fallback
    flags = con.sql(
        "select distinct model, fallback, fallback_reason from ltv_params where model <> 'prediction' order by 1"
    ).fetchall()
    assert [(m, f) for m, f, _ in flags] == [("bgnbd", True), ("gamma_gamma", True)] and all(
        "too few" in r for *_, r in flags
    )
    methods = con.sql("select customer_id, purchases_method, spend_method from ltv_predictions order by 1").fetchall()
    assert methods == [
        ("a", "heuristic", "population_mean"),
        ("b", "heuristic", "customer_mean"),
        ("c", "heuristic", "customer_mean"),
    ]


def test_predictions_from_the_stored_parameter_table_need_no_refit():
    """The dbt path: fit_params_table once, then predict_from_params reads the fits and settings back."""
    rng = np.random.default_rng(32)
    customer, dates, values, ref = _simulated_transactions(rng, 2000)
    con = duckdb.connect()
    _transactions_relation(con, customer, dates, values, [True] * len(values))
    summaries = con.sql(ltv_io.summary_sql("tx", ref.item())).to_arrow_table()
    params = ltv_io.fit_params_table(summaries, horizon_days=200, discount_rate_annual=0.05, margin=0.4)
    bgnbd, spend, settings = ltv_io.fits_from_params(params)
    direct = ltv_io.ltv_tables(summaries, horizon_days=200, discount_rate_annual=0.05, margin=0.4)
    assert bgnbd.params == direct.bgnbd.params and spend.params == direct.gamma_gamma.params
    assert not bgnbd.fallback and bgnbd.converged and bgnbd.n_customers == 2000
    assert settings == {"horizon_days": 200, "discount_rate_annual": 0.05, "step_days": ltv.MONTH_DAYS, "margin": 0.4}
    stored = ltv_io.predict_from_params(summaries, params)
    for column in ("p_alive", "expected_purchases", "expected_order_value", "clv"):
        assert stored.column(column).to_pylist() == direct.predictions.column(column).to_pylist()
    # a fallback survives the round trip: the stored table says so and the predictions use the fallback
    tiny = pa.table(
        {
            "customer_id": ["a", "b"],
            "frequency": [0, 2],
            "recency": [0.0, 30.0],
            "T": [10.0, 60.0],
            "monetary": [0.0, 0.0],
        }
    )
    tiny_params = ltv_io.fit_params_table(tiny)
    fallback, no_spend, _ = ltv_io.fits_from_params(tiny_params)
    assert fallback.fallback and "too few" in (fallback.fallback_reason or "") and no_spend.fallback
    predicted = ltv_io.predict_from_params(tiny, tiny_params)
    assert predicted.column("purchases_method").to_pylist() == ["heuristic", "heuristic"]
    assert predicted.column("spend_method").to_pylist() == ["none", "none"]
    # no spend data at all: NULL (not NaN) value and CLV in the warehouse
    assert predicted.column("expected_order_value").null_count == 2 and predicted.column("clv").null_count == 2
    with pytest.raises(ValueError, match="no rows for model gamma_gamma"):
        ltv_io.fits_from_params(tiny_params.filter(pa.compute.equal(tiny_params.column("model"), "bgnbd")))
