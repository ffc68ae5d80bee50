{{ config(severity='warn') }}
{#- Warns, naming the model and the reason, when a lifetime-value fit did not converge or was not used: the
    predictions of customer_ltv then come from the documented fallback (is_fallback, purchases_method,
    spend_method say so per customer). -#}
select distinct
    'ltv_model_params: model ' || model_name || ' uses the fallback - '
    || coalesce(fallback_reason, 'no reason recorded') as problem
from {{ ref('ltv_model_params') }}
where model_name in ('bgnbd', 'gamma_gamma') and is_fallback
