{{ config(**cdp_staging_config('product_sku', 'base_catalog__products')) }}

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
