{#- The one wide row per customer that segment conditions are written over: golden attributes, consent and traits
    (int_customer_profile_joined, the join customer_profile reads too), RFM, lifetime value, churn risk and value
    tier, and a few derived measures. Only columns declared (with their types) in _audiences__models.yml may appear
    in a condition; the contract keeps the declaration and the table in step. The value marts have one row per
    customer of dim_customers, so the joins neither add nor drop rows. -#}

with

profiles as (
    select * from {{ ref('int_customer_profile_joined') }}
),

rfm as (
    select * from {{ ref('customer_rfm') }}
),

ltv as (
    select * from {{ ref('customer_ltv') }}
),

churn as (
    select * from {{ ref('customer_churn_risk') }}
),

value_tiers as (
    select * from {{ ref('customer_value_tier') }}
),

final as (
    select
        profiles.customer_id,
        profiles.as_of_date,
        profiles.age_years,
        profiles.gender,
        profiles.city,
        profiles.country_code,
        profiles.loyalty_tier,
        profiles.email is not null as has_email,
        profiles.phone is not null as has_phone,
        profiles.is_email_opted_in,
        profiles.is_email_contactable,
        profiles.is_sms_opted_in,
        profiles.is_sms_contactable,
        profiles.is_push_opted_in,
        profiles.is_push_contactable,
        profiles.is_advertising_opted_in,
        profiles.first_seen_at,
        profiles.last_seen_at,
        profiles.days_since_last_seen,
        profiles.uses_web,
        profiles.uses_app,
        profiles.uses_store,
        profiles.uses_email,
        profiles.channel_count,
        profiles.session_count,
        profiles.logins_per_week_4w,
        profiles.products_bought_count,
        profiles.units_bought,
        profiles.online_order_count,
        profiles.store_purchase_count,
        profiles.online_order_count + profiles.store_purchase_count as purchase_count,
        profiles.last_purchase_at,
        -- bigint on every engine (Spark's datediff gives int)
        cast(
            {{ dbt.datediff('cast(profiles.last_purchase_at as date)', 'profiles.as_of_date', 'day') }}
            as bigint
        ) as days_since_last_purchase,
        profiles.favourite_category,
        profiles.favourite_brand,
        profiles.preferred_store_name,
        profiles.preferred_contact_channel,
        profiles.email_open_rate,
        profiles.email_click_rate,
        profiles.abandoned_cart_count,
        profiles.has_open_cart,
        profiles.is_online_to_offline_shopper,
        profiles.support_ticket_count,
        profiles.avg_support_satisfaction,
        profiles.is_known_customer,
        rfm.has_purchased,
        rfm.recency_score,
        rfm.frequency_score,
        rfm.monetary_score,
        rfm.rfm_cell,
        rfm.rfm_segment,
        ltv.net_revenue,
        ltv.average_order_value,
        ltv.probability_alive,
        ltv.expected_purchases,
        ltv.predicted_clv,
        churn.churn_risk_band,
        value_tiers.value_score,
        value_tiers.value_tier
    from profiles
    inner join rfm
        on profiles.customer_id = rfm.customer_id
    inner join ltv
        on profiles.customer_id = ltv.customer_id
    inner join churn
        on profiles.customer_id = churn.customer_id
    inner join value_tiers
        on profiles.customer_id = value_tiers.customer_id
)

select * from final
