{#- The single customer view in one wide row per customer: the golden attributes, the consent flags and the main
    traits side by side, for BI tools and exports. A view over int_customer_profile_joined (dim_customers,
    customer_consent and customer_traits joined): nothing is stored twice. -#}
{{ config(materialized='view') }}

with

profiles as (
    select * from {{ ref('int_customer_profile_joined') }}
),

final as (
    select
        customer_id,
        is_known_customer,
        first_name,
        last_name,
        email,
        phone,
        birth_date,
        age_years,
        gender,
        postcode,
        city,
        country_code,
        loyalty_tier,
        is_email_opted_in,
        is_email_contactable,
        is_sms_opted_in,
        is_sms_contactable,
        is_push_opted_in,
        is_advertising_opted_in,
        first_seen_at,
        last_seen_at,
        channels_used,
        channel_count,
        device_count,
        online_order_count,
        store_purchase_count,
        last_purchase_at,
        favourite_category,
        favourite_brand,
        brand_loyalty_share,
        preferred_store_name,
        preferred_contact_channel,
        email_open_rate,
        email_click_rate,
        logins_per_week_4w,
        abandoned_cart_count,
        is_online_to_offline_shopper,
        as_of_date
    from profiles
)

select * from final
