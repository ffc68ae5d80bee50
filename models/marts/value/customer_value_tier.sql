{#- A value measure beyond spend, per customer as of the reference date: four scores 1-5 by quintiles
    (cdp_quintile_score, equal values equal scores) - spend (the RFM monetary score; 0 without a purchase), product
    categories bought, channels used (customer_traits.channel_count) and visit frequency (web and app sessions plus
    store purchases, per 30 days since the customer was first seen) - summed into value_score (4-20) and cut into
    tiers by var value_tier_min_scores (platinum, gold, silver; lower is bronze). Customers without a purchase are
    'prospect' whatever their engagement. Breadth scores are ranked among all customers of dim_customers. -#}
with

customers as (
    select customer_id from {{ ref('dim_customers') }}
),

rfm as (
    select * from {{ ref('customer_rfm') }}
),

traits as (
    select * from {{ ref('customer_traits') }}
),

product_activity as (
    select * from {{ ref('int_customer_product_activity') }}
),

reference_date as (
    select {{ cdp_as_of_date() }} as as_of_date
),

categories as (
    select
        product_activity.customer_id,
        count(distinct product_activity.category) as categories_shopped_count
    from product_activity
    cross join reference_date
    where
        product_activity.activity = 'purchase'
        and cast(product_activity.occurred_at as date) <= reference_date.as_of_date
    group by product_activity.customer_id
),

measures as (
    select
        customers.customer_id,
        reference_date.as_of_date,
        rfm.has_purchased,
        coalesce(rfm.monetary_score, 0) as spend_score,
        cast(coalesce(categories.categories_shopped_count, 0) as integer) as categories_shopped_count,
        cast(coalesce(traits.channel_count, 0) as integer) as channel_count,
        cast(coalesce(traits.session_count, 0) + coalesce(traits.store_purchase_count, 0) as integer) as visit_count,
        cast(case
            when traits.first_seen_at is null then 0
            else
                30.0 * (coalesce(traits.session_count, 0) + coalesce(traits.store_purchase_count, 0))
                / greatest(1, 1 + {{ dbt.datediff(
                    'cast(traits.first_seen_at as date)',
                    'reference_date.as_of_date',
                    'day'
                ) }})
        end as double) as visits_per_30_days
    from customers
    cross join reference_date
    inner join rfm
        on customers.customer_id = rfm.customer_id
    left join traits
        on customers.customer_id = traits.customer_id
    left join categories
        on customers.customer_id = categories.customer_id
),

scored as (
    select
        *,
        {{ cdp_quintile_score('categories_shopped_count') }} as category_score,
        {{ cdp_quintile_score('channel_count') }} as channel_score,
        {{ cdp_quintile_score('visits_per_30_days') }} as visit_score
    from measures
),

tiered as (
    select
        *,
        spend_score + category_score + channel_score + visit_score as value_score
    from scored
),

final as (
    select
        customer_id,
        as_of_date,
        has_purchased,
        categories_shopped_count,
        channel_count,
        visit_count,
        visits_per_30_days,
        spend_score,
        category_score,
        channel_score,
        visit_score,
        value_score,
        case
            when not has_purchased then 'prospect'
            when value_score >= {{ var('value_tier_min_scores')['platinum'] }} then 'platinum'
            when value_score >= {{ var('value_tier_min_scores')['gold'] }} then 'gold'
            when value_score >= {{ var('value_tier_min_scores')['silver'] }} then 'silver'
            else 'bronze'
        end as value_tier
    from tiered
)

select * from final
