"""Exact simulation of the BG/NBD purchase process and Gamma-Gamma spend, for tests and benchmarks.

Independent of the formulas in `cdp_runner.value.ltv`: customers are drawn from the generative process itself
(lambda ~ Gamma(r, rate alpha), p ~ Beta(a, b), exponential gaps, a coin after every repeat purchase;
nu ~ Gamma(q, rate v), values ~ Gamma(p, rate nu)).
"""

from __future__ import annotations

import numpy as np


def simulate_bgnbd(
    rng: np.random.Generator,
    T,
    r: float,
    alpha: float,
    a: float,
    b: float,
    *,
    return_times: bool = False,
    rates=None,
    dropouts=None,
):
    """Continuous-time BG/NBD histories observed for T[i] days after each customer's first purchase.

    Returns (x, t_x) — repeat purchases in (0, T] and the time of the last one (0 without any) — or, with
    return_times=True, (customer index, time since first purchase) of every repeat purchase, sorted by
    customer then time. `rates` and `dropouts` override the drawn lambda and p (for one-customer checks).
    """
    T = np.asarray(T, dtype=float)
    n = len(T)
    lam = (
        rng.gamma(r, 1.0 / alpha, n) if rates is None else np.broadcast_to(np.asarray(rates, dtype=float), (n,)).copy()
    )
    p = rng.beta(a, b, n) if dropouts is None else np.broadcast_to(np.asarray(dropouts, dtype=float), (n,)).copy()
    lam = np.maximum(lam, 1e-300)
    x = np.zeros(n, dtype=np.int64)
    last = np.zeros(n)
    clock = np.zeros(n)
    owners, times = [], []
    active = np.arange(n)
    while active.size:
        following = clock[active] + rng.exponential(1.0, active.size) / lam[active]
        inside = following <= T[active]
        active = active[inside]
        clock[active] = following[inside]
        x[active] += 1
        last[active] = clock[active]
        if return_times:
            owners.append(active)
            times.append(clock[active].copy())
        active = active[rng.random(active.size) >= p[active]]
    if not return_times:
        return x, last
    owner = np.concatenate(owners) if owners else np.zeros(0, np.int64)
    when = np.concatenate(times) if times else np.zeros(0)
    order = np.lexsort((when, owner))
    return owner[order], when[order]


def simulate_bgnbd_days(
    rng: np.random.Generator,
    n: int,
    history_days: int,
    r: float,
    alpha: float,
    a: float,
    b: float,
    *,
    skew: float = 0.75,
):
    """Day-level summaries as a warehouse would see them, acquisitions spread like the sample generator's.

    First purchases at a continuous instant history_days * U ** skew (a growing business); purchases up to
    the end of the last day (index history_days - 1, the reference date). Returns (frequency, recency, T)
    with frequency = distinct purchase days - 1, recency = last - first purchase day, T = reference day -
    first purchase day (integers, days).
    """
    start = history_days * rng.random(n) ** skew
    owner, since = simulate_bgnbd(rng, history_days - start, r, alpha, a, b, return_times=True)
    first_day = np.floor(start).astype(np.int64)
    day = np.floor(start[owner] + since).astype(np.int64)
    # distinct days: a repeat purchase counts if its day differs from the previous purchase's day
    previous = np.where(np.r_[True, owner[1:] != owner[:-1]], first_day[owner], np.r_[0, day[:-1]])
    new_day = day != previous
    frequency = np.bincount(owner[new_day], minlength=n)
    last_day = first_day.copy()
    np.maximum.at(last_day, owner, day)
    return frequency, last_day - first_day, (history_days - 1) - first_day


def simulate_spend(rng: np.random.Generator, counts, p: float, q: float, v: float):
    """Gamma-Gamma: per customer nu ~ Gamma(q, rate v); counts[i] values ~ Gamma(p, rate nu_i).

    Returns (nu, customer index of each value, values)."""
    counts = np.asarray(counts, dtype=np.int64)
    nu = rng.gamma(q, 1.0 / v, len(counts))
    owner = np.repeat(np.arange(len(counts)), counts)
    return nu, owner, rng.gamma(p, 1.0, len(owner)) / nu[owner]


def simulate_mean_spend(rng: np.random.Generator, counts, p: float, q: float, v: float):
    """Gamma-Gamma summaries directly: the mean of counts[i] values (0 where counts is 0); and nu."""
    counts = np.asarray(counts, dtype=np.int64)
    nu = rng.gamma(q, 1.0 / v, len(counts))
    total = rng.gamma(np.maximum(p * counts, 1e-300), 1.0) / nu  # a sum of k Gamma(p, nu) is Gamma(k p, nu)
    return np.where(counts > 0, total / np.maximum(counts, 1), 0.0), nu
