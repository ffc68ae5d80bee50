{#- What each customer did with which product: viewed or carted (web and app events), bought online (lines of
    shop orders that were not cancelled) or bought in store (sale lines of till receipts), with the product's category
    and brand from the catalogue. One row per event or order line. -#}
with

-- inlined (cdp_inline_cte): three CTEs read it, each a few of its columns and rows
interactions as {{ cdp_inline_cte() }} (
    select * from {{ ref('int_customer_interactions') }}
),

products as (
    select
        product_sku,
        category,
        brand
    from {{ ref('stg_catalog__products') }}
),

views_and_carts as (
    select
        customer_id,
        {{ cdp_interaction_key() }} as activity_key,
        source_name,
        record_key,
        case when event_type = 'product_view' then 'view' else 'cart' end as activity,
        channel,
        occurred_at,
        product_sku,
        cast(1 as bigint) as quantity,
        cast(null as {{ dbt.type_string() }}) as store_id
    from interactions
    where
        source_name in ('web_events', 'app_events')
        and event_type in ('product_view', 'add_to_cart')
        and product_sku is not null
),

online_purchases as (
    select
        orders.customer_id,
        'shop_order_lines:' || order_lines.order_line_id as activity_key,
        orders.source_name,
        orders.record_key,
        'purchase' as activity,
        'web' as channel,
        orders.occurred_at,
        order_lines.product_sku,
        cast(order_lines.quantity as bigint) as quantity,
        cast(null as {{ dbt.type_string() }}) as store_id
    from {{ ref('stg_shop__order_lines') }} as order_lines
    inner join interactions as orders
        on
            orders.source_name = 'shop_orders'
            and order_lines.order_id = orders.record_key
    where orders.status <> 'cancelled' and order_lines.quantity > 0
),

store_purchases as (
    select
        receipts.customer_id,
        'pos_transaction_lines:' || receipt_lines.transaction_line_id as activity_key,
        receipts.source_name,
        receipts.record_key,
        'purchase' as activity,
        'store' as channel,
        receipts.occurred_at,
        receipt_lines.product_sku,
        cast(receipt_lines.quantity as bigint) as quantity,
        receipts.store_id
    from {{ ref('stg_pos__transaction_lines') }} as receipt_lines
    inner join interactions as receipts
        on
            receipts.source_name = 'pos_transactions'
            and receipt_lines.transaction_id = receipts.record_key
    where receipts.event_type = 'purchase' and receipt_lines.quantity > 0
),

unioned as (
    select * from views_and_carts
    union all
    select * from online_purchases
    union all
    select * from store_purchases
),

final as (
    select
        unioned.activity_key,
        unioned.customer_id,
        unioned.source_name,
        unioned.record_key,
        unioned.activity,
        unioned.channel,
        unioned.occurred_at,
        unioned.product_sku,
        products.category,
        products.brand,
        unioned.quantity,
        unioned.store_id
    from unioned
    left join products
        on unioned.product_sku = products.product_sku
)

select * from final
