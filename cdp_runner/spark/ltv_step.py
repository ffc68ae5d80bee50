"""The lifetime-value fit on Spark: a runner step between two dbt invocations, in place of the dbt Python models.

dbt-spark runs Python models only on Databricks, so on Spark the two Python models (int_ltv_model_fit,
int_customer_ltv_predictions) are left out of dbt's invocations and this step writes the same two tables with the
same code (cdp_runner.value.ltv_io), from the same input (int_customer_btyd_summary) and the same settings (the
vars the Python models read, taken from the model's config in dbt's manifest). Same input and same code: the same
parameters as on DuckDB (a test holds them to 1e-6 relative).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ..value.ltv_io import SUMMARY_PROJECTION, fit_params_table, predict_from_params

FIT_MODEL = "int_ltv_model_fit"
PREDICTIONS_MODEL = "int_customer_ltv_predictions"
SUMMARY_MODEL = "int_customer_btyd_summary"
# The dbt Python models this step stands in for.
PYTHON_MODELS = (FIT_MODEL, PREDICTIONS_MODEL)


@dataclass(frozen=True)
class LtvSettings:
    horizon_days: float
    discount_rate_annual: float
    margin: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LtvSettings:
        """From the fit model's config (the vars ltv_horizon_days, ltv_discount_rate, ltv_margin it declares)."""
        return cls(
            horizon_days=float(config["ltv_horizon_days"]),
            discount_rate_annual=float(config["ltv_discount_rate"]),
            margin=float(config["ltv_margin"]),
        )


def run_ltv_step(spark: Any, relations: Mapping[str, str], settings: LtvSettings) -> tuple[int, int]:
    """Fit on the summaries and write both tables through the Spark session; (parameter rows, prediction rows).

    `relations` names the relation (schema.table) of each model involved, as dbt would."""
    summary = relations[SUMMARY_MODEL]
    fitted_on = _arrow(spark.sql(f"select {SUMMARY_PROJECTION} from {summary} where is_in_model_fit"))
    params = fit_params_table(
        fitted_on,
        horizon_days=settings.horizon_days,
        discount_rate_annual=settings.discount_rate_annual,
        margin=settings.margin,
    )
    predictions = predict_from_params(_arrow(spark.sql(f"select {SUMMARY_PROJECTION} from {summary}")), params)
    _write(spark, params, relations[FIT_MODEL])
    _write(spark, predictions, relations[PREDICTIONS_MODEL])
    return params.num_rows, predictions.num_rows


def _arrow(frame: Any) -> pa.Table:
    """A Spark DataFrame as an Arrow table (collected on the driver: one row per customer, six columns)."""
    names = frame.columns
    rows = frame.collect()
    return pa.table({name: [row[index] for row in rows] for index, name in enumerate(names)})


SPARK_TYPES = {
    pa.string(): "string",
    pa.float64(): "double",
    pa.int64(): "bigint",
    pa.bool_(): "boolean",
}


def _spark_type(arrow_type: pa.DataType) -> str:
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    return SPARK_TYPES[arrow_type]


def _write(spark: Any, table: pa.Table, relation: str) -> None:
    """Replace `relation` with the table's rows, as a Parquet table (the types DuckDB gives the Python model's
    output: text, double, bigint, boolean, timestamp)."""
    schema = ", ".join(f"`{field.name}` {_spark_type(field.type)}" for field in table.schema)
    rows = [tuple(row.values()) for row in table.to_pylist()]
    frame = spark.createDataFrame(rows, schema=schema) if rows else spark.createDataFrame([], schema=schema)
    spark.sql(f"drop table if exists {relation}")
    frame.write.format("parquet").saveAsTable(relation)
