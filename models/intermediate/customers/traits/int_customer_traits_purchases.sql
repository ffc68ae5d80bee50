{#- Purchase traits per customer as of the build's reference date (see customer_traits): online orders that were not
    cancelled, in-store sale receipts (returns excluded) and the latest of either. One row per customer with an order
    or a till receipt up to the end of the as-of date. -#}
with

interactions as (
    select * from {{ cdp_up_to_as_of_date(ref('int_customer_interactions'), 'occurred_at') }}
),

orders_and_receipts as (
    select
        customer_id,
        occurred_at,
        (source_name = 'shop_orders' and status <> 'cancelled') as is_online_order,
        (source_name = 'pos_transactions' and event_type = 'purchase') as is_store_purchase
    from interactions
    where source_name in ('shop_orders', 'pos_transactions')
),

final as (
    select
        customer_id,
        count(case when is_online_order then 1 end) as online_order_count,
        count(case when is_store_purchase then 1 end) as store_purchase_count,
        max(case when is_online_order or is_store_purchase then occurred_at end) as last_purchase_at
    from orders_and_receipts
    group by customer_id
)

select * from final
