{#- Behaviour and multichannel activity per customer, as of the build's reference date (cdp_as_of_date()): one row per
    customer of dim_customers with every trait, 0 (or false) where the customer has no such activity. Each trait
    family is computed once per customer in its own model (int_customer_traits_<family>: activity, purchases,
    products, stores, email, contact, support, carts, online_to_offline; each trait defined in the yml and in
    docs/single-customer-view.md); this model joins them on customer_id. -#}
with

customers as (
    select customer_id from {{ ref('dim_customers') }}
),

activity as (
    select * from {{ ref('int_customer_traits_activity') }}
),

purchases as (
    select * from {{ ref('int_customer_traits_purchases') }}
),

products as (
    select * from {{ ref('int_customer_traits_products') }}
),

stores as (
    select * from {{ ref('int_customer_traits_stores') }}
),

email as (
    select * from {{ ref('int_customer_traits_email') }}
),

contact as (
    select * from {{ ref('int_customer_traits_contact') }}
),

support as (
    select * from {{ ref('int_customer_traits_support') }}
),

carts as (
    select * from {{ ref('int_customer_traits_carts') }}
),

online_to_offline as (
    select * from {{ ref('int_customer_traits_online_to_offline') }}
),

as_of as (
    select {{ cdp_as_of_date() }} as as_of_date
),

final as (
    select
        customers.customer_id,
        as_of.as_of_date,
        activity.first_seen_at,
        activity.last_seen_at,
        activity.days_since_last_seen,
        coalesce(activity.uses_web, false) as uses_web,
        coalesce(activity.uses_app, false) as uses_app,
        coalesce(activity.uses_store, false) as uses_store,
        coalesce(activity.uses_email, false) as uses_email,
        coalesce(activity.uses_support, false) as uses_support,
        activity.channels_used,
        coalesce(activity.channel_count, 0) as channel_count,
        coalesce(activity.device_count, 0) as device_count,
        coalesce(activity.web_session_count, 0) as web_session_count,
        coalesce(activity.app_session_count, 0) as app_session_count,
        coalesce(activity.session_count, 0) as session_count,
        coalesce(activity.logins_trailing_4w, 0) as logins_trailing_4w,
        cast(coalesce(activity.logins_trailing_4w, 0) / 4.0 as decimal(10, 2)) as logins_per_week_4w,
        coalesce(activity.logins_trailing_12w, 0) as logins_trailing_12w,
        cast(coalesce(activity.logins_trailing_12w, 0) / 12.0 as decimal(10, 2)) as logins_per_week_12w,
        coalesce(products.products_viewed_count, 0) as products_viewed_count,
        coalesce(products.products_carted_count, 0) as products_carted_count,
        coalesce(products.products_bought_count, 0) as products_bought_count,
        coalesce(products.units_bought, 0) as units_bought,
        coalesce(purchases.online_order_count, 0) as online_order_count,
        coalesce(purchases.store_purchase_count, 0) as store_purchase_count,
        purchases.last_purchase_at,
        products.favourite_category,
        products.top_categories,
        products.favourite_brand,
        products.top_brands,
        products.brand_loyalty_share,
        stores.preferred_store_id,
        stores.preferred_store_name,
        stores.preferred_store_share,
        coalesce(email.emails_delivered_count, 0) as emails_delivered_count,
        coalesce(email.emails_opened_count, 0) as emails_opened_count,
        coalesce(email.emails_clicked_count, 0) as emails_clicked_count,
        email.email_open_rate,
        email.email_click_rate,
        contact.preferred_contact_channel,
        coalesce(contact.preferred_contact_engagements, 0) as preferred_contact_engagements,
        coalesce(support.support_ticket_count, 0) as support_ticket_count,
        coalesce(support.open_support_ticket_count, 0) as open_support_ticket_count,
        coalesce(support.live_chat_count, 0) as live_chat_count,
        support.avg_support_satisfaction,
        coalesce(support.support_ratings_count, 0) as support_ratings_count,
        support.last_support_contact_at,
        coalesce(carts.cart_count, 0) as cart_count,
        coalesce(carts.abandoned_cart_count, 0) as abandoned_cart_count,
        carts.last_abandoned_cart_at,
        coalesce(carts.has_open_cart, false) as has_open_cart,
        coalesce(online_to_offline.online_to_offline_purchase_count, 0) as online_to_offline_purchase_count,
        coalesce(online_to_offline.qr_online_to_offline_count, 0) as qr_online_to_offline_count,
        coalesce(online_to_offline.is_online_to_offline_shopper, false) as is_online_to_offline_shopper,
        online_to_offline.last_online_to_offline_at
    from customers
    cross join as_of
    left join activity
        on customers.customer_id = activity.customer_id
    left join purchases
        on customers.customer_id = purchases.customer_id
    left join products
        on customers.customer_id = products.customer_id
    left join stores
        on customers.customer_id = stores.customer_id
    left join email
        on customers.customer_id = email.customer_id
    left join contact
        on customers.customer_id = contact.customer_id
    left join support
        on customers.customer_id = support.customer_id
    left join carts
        on customers.customer_id = carts.customer_id
    left join online_to_offline
        on customers.customer_id = online_to_offline.customer_id
)

select * from final
