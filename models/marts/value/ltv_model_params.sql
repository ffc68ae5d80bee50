{#- The fitted lifetime-value models for governance: one row per (model, parameter) - BG/NBD r, alpha, a, b and
    Gamma-Gamma p, q, v with their standard errors, the fallback inputs (pooled repeat rate, population mean spend)
    and the prediction settings - with each fit's time unit, log-likelihood, customer counts, convergence status,
    fallback flag and reason, and the reference date of the data it was fitted on. -#}
with

fit as (
    select * from {{ ref('int_ltv_model_fit') }}
),

reference_date as (
    select {{ cdp_as_of_date() }} as as_of_date
),

final as (
    select
        fit.model as model_name,
        fit.role as parameter_role,
        fit.parameter as parameter_name,
        fit.value as parameter_value,
        fit.std_error,
        fit.time_unit,
        fit.log_likelihood,
        cast(fit.n_customers as bigint) as customer_count,
        cast(fit.n_used as bigint) as customers_used_count,
        cast(fit.n_groups as bigint) as distinct_row_count,
        fit.converged as is_converged,
        cast(fit.iterations as bigint) as iteration_count,
        fit.message as optimiser_message,
        fit.fallback as is_fallback,
        fit.fallback_reason,
        fit.fit_seconds,
        cast(fit.fitted_at as timestamp) as fitted_at,
        reference_date.as_of_date
    from fit
    cross join reference_date
)

select * from final
