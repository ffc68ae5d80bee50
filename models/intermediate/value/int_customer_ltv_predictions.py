"""Per-customer BG/NBD and Gamma-Gamma predictions from the stored fit (int_ltv_model_fit: no refit): probability
alive, expected purchase days and average order value over the horizon, discounted CLV, and which method produced
each figure (a fallback is labelled, never silent). One row per customer of int_customer_btyd_summary."""


def model(dbt, session):
    from cdp_runner.value.ltv_io import SUMMARY_PROJECTION, predict_from_params

    dbt.config(materialized="table")
    summaries = dbt.ref("int_customer_btyd_summary").project(SUMMARY_PROJECTION)
    return predict_from_params(summaries, dbt.ref("int_ltv_model_fit"))
