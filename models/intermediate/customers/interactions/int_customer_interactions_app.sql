{#- App events of resolved customers as interactions (see int_customer_interactions): app opens, screen and product
    views, add-to-carts, logins and push opens, with the app install as device. -#}
with

events as (
    select * from {{ cdp_records_with_customer('app_events') }}
),

final as (
    select
        customer_id,
        source_name,
        record_key,
        occurred_at,
        'app' as channel,
        event_type,
        true as is_customer_initiated,
        case event_type
            when 'app_open' then 'Opened the app'
            when 'screen_view' then 'Viewed a screen in the app'
            when 'product_view' then 'Viewed product ' || coalesce(product_sku, '(unknown)') || ' in the app'
            when 'add_to_cart' then 'Added ' || coalesce(product_sku, 'a product') || ' to the cart in the app'
            when 'login' then 'Logged in to the app'
            when 'push_open' then 'Opened a push notification'
            else event_type
        end || coalesce(' (' || platform || ')', '') as description,
        'app:' || device_id as device_key,
        product_sku,
        load_id
    from events
)

select * from final
