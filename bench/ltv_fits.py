"""Benchmark and recovery check of the lifetime-value fits at scale.

    python -m bench.ltv_fits --customers 1000000 --seed 2026

Simulates day-level summaries (frequency = distinct purchase days - 1, recency, T in whole days) from the
sample generator's BG/NBD and Gamma-Gamma parameters (cdp_runner.generator.params), acquisitions spread
like the generator's over 1,095 days, then times each step and prints the estimates next to the truth.

`value_marts(warehouse)` times the value marts (RFM, lifetime value with its fit, churn risk, value tier) on a
warehouse whose identity and customer marts are built: for `make bench` after its full build.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

import duckdb
import numpy as np

from bench.ltv_simulate import simulate_bgnbd, simulate_bgnbd_days, simulate_mean_spend
from cdp_runner.dbt import run_dbt
from cdp_runner.generator.params import PurchaseProcess, SpendProcess
from cdp_runner.value import ltv


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--history-days", type=int, default=1095)
    parser.add_argument("--horizon-days", type=float, default=365.0)
    parser.add_argument(
        "--continuous",
        action="store_true",
        help="continuous-time summaries (no two customers alike: the worst case for grouping)",
    )
    args = parser.parse_args(argv)
    buy, spend = PurchaseProcess(), SpendProcess()
    truth_bgnbd: dict[str, Any] = {"r": buy.r, "alpha": buy.alpha, "a": buy.a, "b": buy.b}
    truth_gg: dict[str, Any] = {"p": spend.p, "q": spend.q, "v": spend.gamma}
    rng = np.random.default_rng(args.seed)
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")

    started = time.perf_counter()
    if args.continuous:
        T = args.history_days * (1 - rng.random(args.customers) ** 0.75)
        x, tx = simulate_bgnbd(rng, T, **truth_bgnbd)
    else:
        x, tx, T = simulate_bgnbd_days(rng, args.customers, args.history_days, **truth_bgnbd)
    m, _ = simulate_mean_spend(rng, x, **truth_gg)
    print(f"simulate {args.customers:,} customers: {time.perf_counter() - started:.2f} s")

    fit = ltv.fit_bgnbd(x, tx, T)
    _report(fit, truth_bgnbd)
    spend_fit = ltv.fit_gamma_gamma(x, m)
    _report(spend_fit, truth_gg)

    started = time.perf_counter()
    pred = ltv.predict(fit, spend_fit, x, tx, T, m, horizon_days=args.horizon_days)
    seconds = time.perf_counter() - started
    labels, counts = np.unique(pred.purchases_method.astype(str), return_counts=True)
    methods = {str(k): int(v) for k, v in zip(labels, counts, strict=True)}
    print(
        f"predict {args.customers:,} customers, {args.horizon_days:g} days in monthly steps: {seconds:.2f} s; "
        f"mean expected purchases {pred.expected_purchases.mean():.4f}, mean CLV {pred.clv.mean():.2f}, "
        f"methods {methods}"
    )


def value_marts(warehouse) -> dict[str, float]:
    """`dbt run` of int_customer_purchases and everything downstream on a built warehouse: seconds per model, the
    in-database fit times (fit_seconds of ltv_model_params) and the number of customers fitted."""
    outcome = run_dbt(["run", "--select", "int_customer_purchases+"], warehouse=warehouse)
    if not outcome.success:
        raise SystemExit(f"value marts failed: {[r.unique_id for r in outcome.failed] or outcome.errors[-1:]}")
    figures = {r.unique_id.split(".")[-1]: r.seconds for r in outcome.results if r.resource_type == "model"}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for model, seconds, customers in con.execute(
            "select model_name, max(fit_seconds), max(customer_count) from marts.ltv_model_params"
            " where model_name <> 'prediction' group by 1"
        ).fetchall():
            figures[f"fit_{model}_seconds"] = seconds
            figures[f"fit_{model}_customers"] = customers
    for name, value in figures.items():
        print(f"  {name:40s} {value:10.2f}")
    return figures


def _report(fit: ltv.FitResult, truth: dict[str, float]) -> None:
    print(
        f"fit {fit.model}: {fit.seconds:.2f} s, {fit.n_used:,} customers in {fit.n_groups:,} distinct rows, "
        f"{fit.iterations} iterations, converged={fit.converged}, fallback={fit.fallback} ({fit.message})"
    )
    for name, value in fit.params.items():
        se = fit.std_errors.get(name, float("nan"))
        print(
            f"  {name:6s} {value:10.4f}  se {se:8.4f}  truth {truth[name]:8.3f}  "
            f"error {100 * (value / truth[name] - 1):+6.2f}%  ({(value - truth[name]) / se:+.1f} se)"
        )


if __name__ == "__main__":
    main()
