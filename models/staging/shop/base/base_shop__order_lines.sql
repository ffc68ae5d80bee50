{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
with

source as (
    select * from {{ source('shop', 'shop_order_lines') }}
),

staged_orders as (
    select order_id from {{ ref('stg_shop__orders') }}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('order_line_id') }} as order_line_id,
        {{ cdp_clean_string('order_id') }} as order_id,
        {{ cdp_clean_string('product_sku') }} as product_sku,
        {{ cdp_parse_integer('quantity') }} as quantity,
        {{ cdp_clean_string('quantity') }} as quantity_delivered,
        {{ cdp_parse_decimal('unit_price') }} as unit_price,
        {{ cdp_clean_string('unit_price') }} as unit_price_delivered,
        {{ cdp_parse_decimal('discount_amount') }} as discount_amount,
        {{ cdp_clean_string('discount_amount') }} as discount_amount_delivered,
        {{ cdp_parse_integer('returned_quantity') }} as returned_quantity,
        {{ cdp_clean_string('returned_quantity') }} as returned_quantity_delivered
    from source
),

with_parent as (
    select
        typed.*,
        staged_orders.order_id is not null as has_staged_order
    from typed
    left join staged_orders
        on typed.order_id = staged_orders.order_id
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('order_line_id') }}
            {{ cdp_missing('order_id') }}
            {{ cdp_missing('product_sku') }}
            {{ cdp_unparsed('quantity') }}
            {{ cdp_missing('quantity') }}
            {{ cdp_unparsed('unit_price') }}
            {{ cdp_missing('unit_price') }}
            when not has_staged_order then 'order_id not staged: ' || order_id
        end as rejection_reason
    from with_parent
),

final as (
    select * from checked
)

select * from final
