{#- Web events of resolved customers as interactions (see int_customer_interactions): page and product views,
    add-to-carts, check-outs, sign-ups and logins, with the browser as device. -#}
with

events as (
    select * from {{ cdp_records_with_customer('web_events') }}
),

final as (
    select
        customer_id,
        source_name,
        record_key,
        occurred_at,
        'web' as channel,
        event_type,
        true as is_customer_initiated,
        case event_type
            when 'page_view' then 'Viewed page ' || coalesce(page_url, '(unknown)')
            when 'product_view' then 'Viewed product ' || coalesce(product_sku, '(unknown)')
            when 'add_to_cart' then 'Added ' || coalesce(product_sku, 'a product') || ' to the cart'
            when 'checkout' then 'Checked out on the website'
            when 'signup' then 'Signed up on the website'
            when 'login' then 'Logged in on the website'
            else event_type
        end || coalesce(' (' || device_type || ')', '') as description,
        session_id,
        'web:' || anonymous_id as device_key,
        product_sku,
        utm_campaign as campaign_id,
        load_id
    from events
)

select * from final
