{#- The single customer view's three marts side by side, one wide row per customer: the golden attributes
    (dim_customers), the consent flags (customer_consent) and the traits (customer_traits), joined once here for the
    two models that read them together (customer_profile, for BI and exports, and int_audience_customer_attributes,
    for segments). A view: nothing is stored twice. -#}
{{ config(materialized='view') }}

with

customers as (
    select * from {{ ref('dim_customers') }}
),

consent as (
    select * from {{ ref('customer_consent') }}
),

traits as (
    select * from {{ ref('customer_traits') }}
),

final as (
    select
        customers.customer_id,
        customers.is_known_customer,
        customers.first_name,
        customers.last_name,
        customers.email,
        customers.phone,
        customers.birth_date,
        customers.age_years,
        customers.gender,
        customers.postcode,
        customers.city,
        customers.country_code,
        customers.loyalty_tier,
        consent.is_email_opted_in,
        consent.is_email_contactable,
        consent.is_sms_opted_in,
        consent.is_sms_contactable,
        consent.is_push_opted_in,
        consent.is_push_contactable,
        consent.is_advertising_opted_in,
        traits.first_seen_at,
        traits.last_seen_at,
        traits.days_since_last_seen,
        traits.uses_web,
        traits.uses_app,
        traits.uses_store,
        traits.uses_email,
        traits.channels_used,
        traits.channel_count,
        traits.device_count,
        traits.session_count,
        traits.logins_per_week_4w,
        traits.products_bought_count,
        traits.units_bought,
        traits.online_order_count,
        traits.store_purchase_count,
        traits.last_purchase_at,
        traits.favourite_category,
        traits.favourite_brand,
        traits.brand_loyalty_share,
        traits.preferred_store_name,
        traits.preferred_contact_channel,
        traits.email_open_rate,
        traits.email_click_rate,
        traits.abandoned_cart_count,
        traits.has_open_cart,
        traits.is_online_to_offline_shopper,
        traits.support_ticket_count,
        traits.avg_support_satisfaction,
        customers.as_of_date
    from customers
    inner join consent
        on customers.customer_id = consent.customer_id
    inner join traits
        on customers.customer_id = traits.customer_id
)

select * from final
