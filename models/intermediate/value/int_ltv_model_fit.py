"""Fits BG/NBD (purchases) and Gamma-Gamma (spend) once, by maximum likelihood, on the per-customer summaries of
int_customer_btyd_summary (cdp_runner.value.ltv; docs/value-marts.md). Returns the long parameter table: estimates,
fallback inputs, diagnostics and the prediction settings (vars ltv_horizon_days, ltv_discount_rate), which
int_customer_ltv_predictions reads back without refitting. Needs a Python-capable dbt runtime (dbt-duckdb here); on Spark the runner writes the same table
(cdp_runner.spark.ltv_step)."""


def model(dbt, session):
    from cdp_runner.value.ltv_io import SUMMARY_PROJECTION, fit_params_table

    dbt.config(materialized="table")
    # anonymous single till receipts are not purchase histories: see int_customer_btyd_summary.is_in_model_fit
    summaries = dbt.ref("int_customer_btyd_summary").filter("is_in_model_fit").project(SUMMARY_PROJECTION)
    return fit_params_table(
        summaries,
        horizon_days=float(dbt.config.get("ltv_horizon_days")),
        discount_rate_annual=float(dbt.config.get("ltv_discount_rate")),
        margin=float(dbt.config.get("ltv_margin")),
    )
