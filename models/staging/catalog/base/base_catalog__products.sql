{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('catalog', 'products')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('catalog', 'products') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('catalog', 'products'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('product_sku') }} as product_sku,
        {{ cdp_clean_string('product_name') }} as product_name,
        {{ cdp_clean_string('category') }} as category,
        {{ cdp_clean_string('subcategory') }} as subcategory,
        {{ cdp_clean_string('brand') }} as brand,
        {{ cdp_parse_decimal('list_price') }} as list_price,
        {{ cdp_clean_string('list_price') }} as list_price_delivered,
        {{ cdp_parse_decimal('unit_cost') }} as unit_cost,
        {{ cdp_clean_string('unit_cost') }} as unit_cost_delivered,
        {{ cdp_parse_currency_code('currency') }} as currency,
        {{ cdp_clean_string('currency') }} as currency_delivered,
        {{ cdp_parse_boolean('is_active') }} as is_active,
        {{ cdp_clean_string('is_active') }} as is_active_delivered,
        {{ cdp_parse_date('launched_on') }} as launched_on,
        {{ cdp_clean_string('launched_on') }} as launched_on_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('product_sku') }}
            {{ cdp_missing('product_name') }}
        end as rejection_reason
    from typed
),

final as (
    select * from checked
)

select * from final
