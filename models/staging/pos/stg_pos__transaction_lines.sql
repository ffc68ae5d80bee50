{{ config(**cdp_staging_config('transaction_line_id', 'base_pos__transaction_lines')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_pos__transaction_lines') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'transaction_line_id') }}
),

final as (
    select
        transaction_line_id,
        transaction_id,
        product_sku,
        quantity,
        unit_price,
        discount_amount,
        quantity < 0 as is_return,
        cast(quantity * unit_price as decimal(18, 2)) as gross_amount,
        cast(quantity * unit_price - coalesce(discount_amount, 0) as decimal(18, 2)) as net_amount,
        load_id,
        source_row_number
    from latest_delivery
)

select * from final
