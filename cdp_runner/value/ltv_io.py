"""Lifetime value in the warehouse: per-customer summaries in, parameters and predictions out.

The mathematics is in `cdp_runner.value.ltv` (numpy only); this module moves data: DuckDB relation or Arrow
table -> numpy -> fits and predictions -> Arrow tables -> DuckDB tables.

    from cdp_runner.value.ltv_io import write_ltv
    with duckdb.connect("warehouse.duckdb") as con:
        outcome = write_ltv(con, "main.customer_ltv_summary", params_table="main.ltv_params",
                            predictions_table="main.ltv_predictions")

From dbt-duckdb Python models (each returns one table), fit once and predict from the stored fit:

    def model(dbt, session):            # the parameters model
        from cdp_runner.value.ltv_io import fit_params_table
        return fit_params_table(dbt.ref("int_customer_btyd_summary"), horizon_days=365)

    def model(dbt, session):            # the predictions model: no refit
        from cdp_runner.value.ltv_io import predict_from_params
        return predict_from_params(dbt.ref("int_customer_btyd_summary"), dbt.ref("int_ltv_model_fit"))

`summary_sql` gives the DuckDB SQL of the summary convention over a transactions relation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from . import ltv

SUMMARY_COLUMNS = ("frequency", "recency", "T", "monetary")
# The columns of the dbt model int_customer_btyd_summary under the names the fits take: what the two dbt Python
# models (DuckDB) and the runner's lifetime-value step (Spark, cdp_runner.spark.ltv_step) select alike.
SUMMARY_PROJECTION = (
    "customer_id, btyd_frequency as frequency, btyd_recency_days as recency, btyd_t_days as T, "
    "btyd_monetary as monetary, btyd_monetary_days as monetary_count"
)
OPTIONAL_COLUMNS = ("monetary_count",)

PARAMS_SCHEMA = pa.schema(
    [
        ("model", pa.string()),  # bgnbd | gamma_gamma | prediction
        ("role", pa.string()),  # estimate | fallback_input | setting
        ("parameter", pa.string()),
        ("value", pa.float64()),
        ("std_error", pa.float64()),
        ("log_likelihood", pa.float64()),
        ("n_customers", pa.int64()),
        ("n_used", pa.int64()),
        ("n_groups", pa.int64()),
        ("converged", pa.bool_()),
        ("iterations", pa.int64()),
        ("message", pa.string()),
        ("fallback", pa.bool_()),
        ("fallback_reason", pa.string()),
        ("time_unit", pa.string()),
        ("fit_seconds", pa.float64()),
        ("fitted_at", pa.timestamp("us", tz="UTC")),
    ]
)


@dataclass(frozen=True)
class LtvTables:
    params: pa.Table  # PARAMS_SCHEMA, one row per (model, parameter)
    predictions: pa.Table  # one row per customer
    bgnbd: ltv.FitResult
    gamma_gamma: ltv.FitResult


def summaries_to_numpy(summaries: Any, id_column: str = "customer_id") -> tuple[pa.Array, dict[str, np.ndarray]]:
    """(customer ids, numpy columns) from an Arrow table, record-batch reader, DuckDB relation or a
    mapping of columns, sorted by id. Column names match case-insensitively (DuckDB folds `T`)."""
    table = _as_arrow(summaries)
    names = {name.lower(): name for name in table.column_names}
    missing = [c for c in (id_column, *SUMMARY_COLUMNS) if c.lower() not in names]
    if missing:
        raise ValueError(f"summaries lack column(s) {missing}; have {table.column_names}")

    def column(name):
        values = table.column(names[name.lower()])
        if values.null_count:
            raise ValueError(f"column {name} has nulls")
        return values.to_numpy(zero_copy_only=False).astype(float)

    columns = {c: column(c) for c in SUMMARY_COLUMNS}
    for c in OPTIONAL_COLUMNS:
        if c.lower() in names:
            columns[c] = column(c)
    ids = table.column(names[id_column.lower()]).combine_chunks()
    # Rows come in the engine's order, which parallel scans vary from run to run; floating-point sums depend on it,
    # so a fit would differ in the last digits between rebuilds of the same data. Everything runs in id order.
    order = pc.sort_indices(ids).to_numpy()
    return ids.take(pa.array(order)), {name: values[order] for name, values in columns.items()}


def _as_arrow(data: Any) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatchReader):
        return data.read_all()
    if hasattr(data, "to_arrow_table"):  # duckdb relation
        return data.to_arrow_table()
    if isinstance(data, dict):
        return pa.table(data)
    raise TypeError(f"cannot read summaries from {type(data).__name__}")


def ltv_tables(
    summaries: Any,
    *,
    id_column: str = "customer_id",
    horizon_days: float = 365.0,
    discount_rate_annual: float = 0.10,
    step_days: float = ltv.MONTH_DAYS,
    margin: float = 1.0,
    min_customers: int = ltv.MIN_CUSTOMERS,
    min_repeat_customers: int = ltv.MIN_REPEAT_CUSTOMERS,
    fitted_at: datetime | None = None,
) -> LtvTables:
    """Fit both models on per-customer summaries and predict every customer (pure computation)."""
    ids, c = summaries_to_numpy(summaries, id_column)
    bgnbd, spend = _fit(c, min_customers, min_repeat_customers)
    settings = {
        "horizon_days": horizon_days,
        "discount_rate_annual": discount_rate_annual,
        "step_days": step_days,
        "margin": margin,
    }
    predictions = _predictions_table(ids, c, bgnbd, spend, settings, id_column)
    when = fitted_at or datetime.now(timezone.utc)
    return LtvTables(params_table(bgnbd, spend, settings, when), predictions, bgnbd, spend)


def _fit(
    c: dict[str, np.ndarray], min_customers: int, min_repeat_customers: int
) -> tuple[ltv.FitResult, ltv.FitResult]:
    count = c.get("monetary_count", c["frequency"])
    bgnbd = ltv.fit_bgnbd(
        c["frequency"], c["recency"], c["T"], min_customers=min_customers, min_repeat_customers=min_repeat_customers
    )
    spend = ltv.fit_gamma_gamma(
        count, c["monetary"], min_customers=min_customers, min_repeat_customers=min_repeat_customers
    )
    return bgnbd, spend


def fit_params_table(
    summaries: Any,
    *,
    id_column: str = "customer_id",
    horizon_days: float = 365.0,
    discount_rate_annual: float = 0.10,
    step_days: float = ltv.MONTH_DAYS,
    margin: float = 1.0,
    min_customers: int = ltv.MIN_CUSTOMERS,
    min_repeat_customers: int = ltv.MIN_REPEAT_CUSTOMERS,
    fitted_at: datetime | None = None,
) -> pa.Table:
    """Fit both models on per-customer summaries; the long parameter table (PARAMS_SCHEMA) with the
    prediction settings, which `predict_from_params` reads back."""
    _, c = summaries_to_numpy(summaries, id_column)
    bgnbd, spend = _fit(c, min_customers, min_repeat_customers)
    settings = {
        "horizon_days": horizon_days,
        "discount_rate_annual": discount_rate_annual,
        "step_days": step_days,
        "margin": margin,
    }
    return params_table(bgnbd, spend, settings, fitted_at or datetime.now(timezone.utc))


def fits_from_params(params: Any) -> tuple[ltv.FitResult, ltv.FitResult, dict[str, float]]:
    """(BG/NBD fit, Gamma-Gamma fit, settings) rebuilt from a parameter table written by `params_table`
    (an Arrow table, DuckDB relation or mapping of columns), so predictions never refit."""
    rows = [{k.lower(): v for k, v in row.items()} for row in _as_arrow(params).to_pylist()]
    settings = {
        r["parameter"]: float(r["value"]) for r in rows if r["model"] == "prediction" and r["role"] == "setting"
    }
    fits = []
    for model in ("bgnbd", "gamma_gamma"):
        mine = [r for r in rows if r["model"] == model]
        if not mine:
            raise ValueError(f"the parameter table has no rows for model {model}")
        head = mine[0]

        def number(value):
            return float("nan") if value is None else float(value)

        fits.append(
            ltv.FitResult(
                model=model,
                params={r["parameter"]: float(r["value"]) for r in mine if r["role"] == "estimate"},
                std_errors={r["parameter"]: number(r["std_error"]) for r in mine if r["role"] == "estimate"},
                log_likelihood=number(head["log_likelihood"]),
                n_customers=int(head["n_customers"]),
                n_used=int(head["n_used"]),
                n_groups=int(head["n_groups"]),
                converged=bool(head["converged"]),
                iterations=int(head["iterations"]),
                message=head["message"],
                fallback=bool(head["fallback"]),
                fallback_reason=head["fallback_reason"],
                fallback_params={r["parameter"]: number(r["value"]) for r in mine if r["role"] == "fallback_input"},
                seconds=number(head["fit_seconds"]),
                time_unit=head["time_unit"],
            )
        )
    return fits[0], fits[1], settings


def predict_from_params(summaries: Any, params: Any, *, id_column: str = "customer_id") -> pa.Table:
    """Per-customer predictions (the `ltv_tables(...).predictions` columns) from stored fits and settings."""
    ids, c = summaries_to_numpy(summaries, id_column)
    bgnbd, spend, settings = fits_from_params(params)
    missing = {"horizon_days", "discount_rate_annual", "step_days", "margin"} - settings.keys()
    if missing:
        raise ValueError(f"the parameter table lacks the prediction setting(s) {sorted(missing)}")
    table = _predictions_table(ids, c, bgnbd, spend, settings, id_column)
    # a warehouse wants NULL, not NaN, where no value exists (spend method "none")
    for name in ("expected_order_value", "clv"):
        column = table.column(name)
        table = table.set_column(
            table.column_names.index(name), name, pc.if_else(pc.is_nan(column), pa.scalar(None, pa.float64()), column)
        )
    return table


def _predictions_table(
    ids, c, bgnbd: ltv.FitResult, spend: ltv.FitResult, settings: dict[str, float], id_column: str
) -> pa.Table:
    count = c.get("monetary_count", c["frequency"])
    horizon_days, discount_rate_annual = settings["horizon_days"], settings["discount_rate_annual"]
    pred = ltv.predict(
        bgnbd,
        spend,
        c["frequency"],
        c["recency"],
        c["T"],
        c["monetary"],
        count,
        horizon_days=horizon_days,
        discount_rate_annual=discount_rate_annual,
        step_days=settings["step_days"],
        margin=settings["margin"],
    )
    return pa.table(
        {
            id_column: ids,
            "frequency": pa.array(c["frequency"].astype(np.int64)),
            "recency": pa.array(c["recency"]),
            "T": pa.array(c["T"]),
            "monetary": pa.array(c["monetary"]),
            "p_alive": pa.array(pred.p_alive),
            "expected_purchases": pa.array(pred.expected_purchases),
            "expected_order_value": pa.array(pred.expected_order_value),
            "clv": pa.array(pred.clv),
            "horizon_days": pa.array(np.full(len(ids), float(horizon_days))),
            "discount_rate_annual": pa.array(np.full(len(ids), float(discount_rate_annual))),
            "purchases_method": pa.array(pred.purchases_method.astype(str).tolist(), pa.string()),
            "spend_method": pa.array(pred.spend_method.astype(str).tolist(), pa.string()),
        }
    )


def params_table(
    bgnbd: ltv.FitResult, gamma_gamma: ltv.FitResult, settings: dict[str, float], fitted_at: datetime
) -> pa.Table:
    """Long table: each fit's estimates and fallback inputs with the fit's diagnostics, then the settings."""
    rows = []
    for fit in (bgnbd, gamma_gamma):
        common = {
            "model": fit.model,
            "log_likelihood": _finite_or_none(fit.log_likelihood),
            "n_customers": fit.n_customers,
            "n_used": fit.n_used,
            "n_groups": fit.n_groups,
            "converged": fit.converged,
            "iterations": fit.iterations,
            "message": fit.message,
            "fallback": fit.fallback,
            "fallback_reason": fit.fallback_reason,
            "time_unit": fit.time_unit,
            "fit_seconds": fit.seconds,
            "fitted_at": fitted_at,
        }
        for name, value in fit.params.items():
            rows.append(
                {
                    **common,
                    "role": "estimate",
                    "parameter": name,
                    "value": value,
                    "std_error": _finite_or_none(fit.std_errors.get(name, float("nan"))),
                }
            )
        for name, value in fit.fallback_params.items():
            rows.append(
                {
                    **common,
                    "role": "fallback_input",
                    "parameter": name,
                    "value": _finite_or_none(value),
                    "std_error": None,
                }
            )
    for name, value in settings.items():
        rows.append(
            {
                "model": "prediction",
                "role": "setting",
                "parameter": name,
                "value": float(value),
                "time_unit": ltv.TIME_UNIT,
                "fitted_at": fitted_at,
            }
        )
    return pa.Table.from_pylist(rows, schema=PARAMS_SCHEMA)


def _finite_or_none(value: float) -> float | None:
    return float(value) if value is not None and np.isfinite(value) else None


def write_ltv(
    con, summaries: str, *, params_table: str = "ltv_params", predictions_table: str = "ltv_predictions", **options
) -> LtvTables:
    """Read per-customer summaries from the relation `summaries` (a table or view name, optionally
    schema-qualified), fit, predict and (re)create `params_table` and `predictions_table` in one
    transaction. `options` go to `ltv_tables`."""
    tables = ltv_tables(con.sql(f"select * from {quote_name(summaries)}"), **options)
    con.execute("begin transaction")
    try:
        for target, data in ((params_table, tables.params), (predictions_table, tables.predictions)):
            parts = target.split(".")
            if len(parts) > 1:
                con.execute(f"create schema if not exists {quote_name('.'.join(parts[:-1]))}")
            view = "__cdp_ltv_upload"
            con.register(view, data)
            try:
                con.execute(f"create or replace table {quote_name(target)} as select * from {view}")
            finally:
                con.unregister(view)
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    return tables


def quote_name(name: str) -> str:
    """`schema.table` -> "schema"."table" (each part quoted; embedded quotes doubled)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split("."))


def summary_sql(
    transactions: str,
    reference_date: date | str,
    *,
    customer: str = "customer_id",
    day: str = "purchase_date",
    amount: str = "amount",
    is_purchase: str | None = None,
) -> str:
    """DuckDB SQL of the summary convention (the same as `ltv.summarise_purchases`).

    `transactions` is a relation name (quoted here); `customer`, `day`, `amount`, `is_purchase` are
    column names of it (`day` cast to DATE, `is_purchase` a boolean column, default: every row is a
    purchase). Output: customer_id, frequency, recency, T, monetary, monetary_count.
    """
    ref = (
        reference_date.isoformat() if isinstance(reference_date, date) else str(date.fromisoformat(str(reference_date)))
    )
    purchase = "true" if is_purchase is None else f"coalesce({quote_name(is_purchase)}, false)"
    return f"""
with days as (
    select {quote_name(customer)} as customer_id, cast({quote_name(day)} as date) as day,
           sum({quote_name(amount)}) as net_amount, bool_or({purchase}) as is_purchase_day
    from {quote_name(transactions)}
    where cast({quote_name(day)} as date) <= date '{ref}'
    group by 1, 2
), purchase_days as (
    select customer_id, day, net_amount,
           day > min(day) over (partition by customer_id) as is_repeat
    from days
    where is_purchase_day
)
select customer_id,
       count(*) - 1 as frequency,
       date_diff('day', min(day), max(day)) as recency,
       date_diff('day', min(day), date '{ref}') as "T",
       coalesce(avg(net_amount) filter (where is_repeat and net_amount > 0), 0) as monetary,
       count(*) filter (where is_repeat and net_amount > 0) as monetary_count
from purchase_days
group by customer_id
"""
