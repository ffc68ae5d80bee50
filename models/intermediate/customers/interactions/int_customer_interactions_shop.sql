{#- Online shop orders of resolved customers as interactions (see int_customer_interactions), with their status and
    total. -#}
with

orders as (
    select * from {{ cdp_records_with_customer('shop_orders') }}
),

final as (
    select
        customer_id,
        source_name,
        record_key,
        ordered_at as occurred_at,
        'web' as channel,
        'order' as event_type,
        true as is_customer_initiated,
        'Order ' || order_id || ' (' || order_status || '): '
        || cast(total_amount as {{ dbt.type_string() }}) || ' ' || currency_code as description,
        order_status as status,
        total_amount as amount,
        currency_code,
        load_id
    from orders
)

select * from final
