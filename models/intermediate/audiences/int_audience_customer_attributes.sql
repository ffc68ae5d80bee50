{#- The one wide row per customer that segment conditions are written over: golden attributes, consent, traits,
    RFM, lifetime value, churn risk and value tier, and a few derived measures. Only columns declared (with their
    types) in _audiences__models.yml may appear in a condition; the contract keeps the declaration and the table in
    step. The value marts have one row per customer of dim_customers, so the joins neither add nor drop rows. -#}

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
        customers.customer_id,
        customers.as_of_date,
        customers.age_years,
        customers.gender,
        customers.city,
        customers.country_code,
        customers.loyalty_tier,
        customers.email is not null as has_email,
        customers.phone is not null as has_phone,
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
        traits.channel_count,
        traits.session_count,
        traits.logins_per_week_4w,
        traits.products_bought_count,
        traits.units_bought,
        traits.online_order_count,
        traits.store_purchase_count,
        traits.online_order_count + traits.store_purchase_count as purchase_count,
        traits.last_purchase_at,
        {{ dbt.datediff('cast(traits.last_purchase_at as date)', 'customers.as_of_date', 'day') }}
            as days_since_last_purchase,
        traits.favourite_category,
        traits.favourite_brand,
        traits.preferred_store_name,
        traits.preferred_contact_channel,
        traits.email_open_rate,
        traits.email_click_rate,
        traits.abandoned_cart_count,
        traits.has_open_cart,
        traits.is_online_to_offline_shopper,
        traits.support_ticket_count,
        traits.avg_support_satisfaction,
        customers.is_known_customer,
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
    from customers
    inner join consent
        on customers.customer_id = consent.customer_id
    inner join traits
        on customers.customer_id = traits.customer_id
    inner join rfm
        on customers.customer_id = rfm.customer_id
    inner join ltv
        on customers.customer_id = ltv.customer_id
    inner join churn
        on customers.customer_id = churn.customer_id
    inner join value_tiers
        on customers.customer_id = value_tiers.customer_id
)

select * from final
