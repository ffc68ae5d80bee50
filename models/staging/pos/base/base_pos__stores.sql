{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('pos', 'stores')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('pos', 'stores') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('pos', 'stores'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('store_id') }} as store_id,
        {{ cdp_clean_string('store_name') }} as store_name,
        {{ cdp_clean_string('city') }} as city,
        upper({{ cdp_clean_string('postcode') }}) as postcode,
        upper({{ cdp_clean_string('country') }}) as country_code,
        {{ cdp_parse_date('opened_on') }} as opened_on,
        {{ cdp_clean_string('opened_on') }} as opened_on_delivered,
        {{ cdp_parse_date('closed_on') }} as closed_on,
        {{ cdp_clean_string('closed_on') }} as closed_on_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('store_id') }}
            {{ cdp_missing('store_name') }}
        end as rejection_reason
    from typed
),

final as (
    select * from checked
)

select * from final
