{{ config(**cdp_staging_config('order_line_id', 'base_shop__order_lines')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_shop__order_lines') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'order_line_id') }}
),

final as (
    select
        order_line_id,
        order_id,
        product_sku,
        quantity,
        unit_price,
        discount_amount,
        returned_quantity,
        cast(quantity * unit_price as decimal(18, 2)) as gross_amount,
        cast(quantity * unit_price - coalesce(discount_amount, 0) as decimal(18, 2)) as net_amount,
        load_id,
        source_row_number
    from latest_delivery
)

select * from final
