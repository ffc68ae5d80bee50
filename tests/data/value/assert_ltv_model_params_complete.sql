{#- ltv_model_params has one row per (model, role, parameter), and every fitted model's estimates are all there:
    r, alpha, a, b for bgnbd and p, q, v for gamma_gamma (a fit that ran always reports its estimates, converged or
    not, for diagnosis). -#}
with

params as (
    select * from {{ ref('ltv_model_params') }}
),

duplicates as (
    select 'duplicate row ' || model_name || '/' || parameter_role || '/' || parameter_name as problem
    from params
    group by model_name, parameter_role, parameter_name
    having count(*) > 1
),

expected as (
    select
        'bgnbd' as model_name,
        'r' as parameter_name
    union all
    select
        'bgnbd' as model_name,
        'alpha' as parameter_name
    union all
    select
        'bgnbd' as model_name,
        'a' as parameter_name
    union all
    select
        'bgnbd' as model_name,
        'b' as parameter_name
    union all
    select
        'gamma_gamma' as model_name,
        'p' as parameter_name
    union all
    select
        'gamma_gamma' as model_name,
        'q' as parameter_name
    union all
    select
        'gamma_gamma' as model_name,
        'v' as parameter_name
),

fitted_models as (
    select distinct model_name
    from params
    where parameter_role = 'estimate'
),

missing as (
    select 'missing estimate ' || expected.model_name || '.' || expected.parameter_name as problem
    from expected
    inner join fitted_models
        on expected.model_name = fitted_models.model_name
    left join params
        on
            expected.model_name = params.model_name
            and expected.parameter_name = params.parameter_name
            and params.parameter_role = 'estimate'
    where params.model_name is null
)

select problem from duplicates
union all
select problem from missing
