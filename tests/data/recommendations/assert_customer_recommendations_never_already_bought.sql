-- No customer is recommended a product they bought (online or in store) up to the end of the as-of date.
with

recommendations as (
    select * from {{ ref('customer_recommendations') }}
),

activity as (
    select * from {{ ref('int_customer_product_activity') }}
),

final as (
    select
        recommendations.customer_id,
        recommendations.product_sku,
        activity.activity_key
    from recommendations
    inner join activity
        on
            recommendations.customer_id = activity.customer_id
            and recommendations.product_sku = activity.product_sku
    where
        activity.activity = 'purchase'
        and activity.occurred_at < {{ dbt.dateadd('day', 1, 'recommendations.as_of_date') }}
)

select * from final
