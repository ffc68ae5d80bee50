{#- The single customer view in one wide row per customer: the golden attributes, the consent flags and the main
    traits side by side, for BI tools and exports. A view over dim_customers, customer_consent and customer_traits:
    nothing is stored twice. -#}
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
        consent.is_advertising_opted_in,
        traits.first_seen_at,
        traits.last_seen_at,
        traits.channels_used,
        traits.channel_count,
        traits.device_count,
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
        traits.logins_per_week_4w,
        traits.abandoned_cart_count,
        traits.is_online_to_offline_shopper,
        customers.as_of_date
    from customers
    inner join consent
        on customers.customer_id = consent.customer_id
    inner join traits
        on customers.customer_id = traits.customer_id
)

select * from final
