{{ config(
    on_schema_change='fail',
    pre_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_undelivered(this, ref('base_catalog__products')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_key_config('product_sku')
) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_catalog__products') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'product_sku') }}
),

final as (
    select
        product_sku,
        product_name,
        category,
        subcategory,
        brand,
        list_price,
        unit_cost,
        currency as currency_code,
        is_active,
        launched_on,
        load_id,
        source_row_number
    from latest_delivery
)

select * from final
