-- Per customer: ranks run 1..n without gaps or repeats, n is at most var('recommendations_per_customer'), no
-- product appears twice, a better rank never has a lower score (equal scores: the SKUs in alphabetical order),
-- scores are positive and add up from their co-purchase and co-view parts.
with

recommendations as (
    select * from {{ ref('customer_recommendations') }}
),

per_customer as (
    select
        customer_id,
        count(*) as row_count,
        count(distinct recommendation_rank) as rank_count,
        count(distinct product_sku) as product_count,
        min(recommendation_rank) as first_rank,
        max(recommendation_rank) as last_rank
    from recommendations
    group by customer_id
),

bad_customers as (
    select
        customer_id,
        'ranks or products not unique, or gaps' as problem
    from per_customer
    where
        rank_count <> row_count
        or product_count <> row_count
        or first_rank <> 1
        or last_rank <> row_count
        or row_count > {{ var('recommendations_per_customer') }}
),

bad_order as (
    select
        better.customer_id,
        'rank order does not follow the score' as problem
    from recommendations as better
    inner join recommendations as worse
        on
            better.customer_id = worse.customer_id
            and better.recommendation_rank + 1 = worse.recommendation_rank
    where
        better.score < worse.score
        or (better.score = worse.score and better.product_sku > worse.product_sku)
),

bad_scores as (
    select
        customer_id,
        'score not positive or not the sum of its parts' as problem
    from recommendations
    where
        score <= 0
        or co_purchase_score < 0
        or co_view_score < 0
        or score <> co_purchase_score + co_view_score
        or association_count < 1
),

final as (
    select * from bad_customers
    union all
    select * from bad_order
    union all
    select * from bad_scores
)

select * from final
