{#- RFM per customer as of the reference date, online and in store together: recency (days since the last
    purchase), frequency (purchases: shop orders not cancelled and till sales), monetary (net revenue after refunds
    and returns, reporting currency), each scored 1-5 by quintiles among the customers who bought
    (cdp_quintile_score: equal values get equal scores), the three-digit cell and its named segment from the seed
    rfm_segments. One row per customer of dim_customers; customers without a purchase have has_purchased false,
    frequency and monetary 0 and no scores. -#}
with

customers as (
    select customer_id from {{ ref('dim_customers') }}
),

purchases as (
    select * from {{ ref('int_customer_purchases') }}
),

segments as (
    select * from {{ ref('rfm_segments') }}
),

reference_date as (
    select {{ cdp_as_of_date() }} as as_of_date
),

per_customer as (
    select
        customer_id,
        min(case when is_purchase then purchase_date end) as first_purchase_date,
        max(case when is_purchase then purchase_date end) as last_purchase_date,
        sum(case when is_purchase then 1 else 0 end) as frequency,
        sum(case when is_unconverted then 0 else net_amount end) as monetary
    from purchases
    group by customer_id
),

buyers as (
    select
        per_customer.customer_id,
        per_customer.first_purchase_date,
        per_customer.last_purchase_date,
        cast({{ dbt.datediff(
            'per_customer.last_purchase_date',
            'reference_date.as_of_date',
            'day'
        ) }} as integer) as recency_days,
        cast(per_customer.frequency as integer) as frequency,
        cast(per_customer.monetary as decimal(18, 2)) as monetary
    from per_customer
    cross join reference_date
    where per_customer.frequency > 0
),

scored as (
    select
        customer_id,
        first_purchase_date,
        last_purchase_date,
        recency_days,
        frequency,
        monetary,
        {{ cdp_quintile_score('recency_days', higher_is_better=false) }} as recency_score,
        {{ cdp_quintile_score('frequency') }} as frequency_score,
        {{ cdp_quintile_score('monetary') }} as monetary_score
    from buyers
),

segment_matches as (
    select
        scored.customer_id,
        segments.rfm_segment,
        segments.churn_signal,
        row_number() over (partition by scored.customer_id order by segments.priority) as match_rank
    from scored
    inner join segments
        on
            scored.recency_score between segments.recency_score_min and segments.recency_score_max
            and scored.frequency_score between segments.frequency_score_min and segments.frequency_score_max
            and scored.monetary_score between segments.monetary_score_min and segments.monetary_score_max
),

final as (
    select
        customers.customer_id,
        reference_date.as_of_date,
        scored.customer_id is not null as has_purchased,
        scored.first_purchase_date,
        scored.last_purchase_date,
        scored.recency_days,
        coalesce(scored.frequency, 0) as frequency,
        coalesce(scored.monetary, cast(0 as decimal(18, 2))) as monetary,
        scored.recency_score,
        scored.frequency_score,
        scored.monetary_score,
        cast(scored.recency_score as {{ dbt.type_string() }})
        || cast(scored.frequency_score as {{ dbt.type_string() }})
        || cast(scored.monetary_score as {{ dbt.type_string() }}) as rfm_cell,
        segment_matches.rfm_segment,
        segment_matches.churn_signal
    from customers
    cross join reference_date
    left join scored
        on customers.customer_id = scored.customer_id
    left join segment_matches
        on scored.customer_id = segment_matches.customer_id and segment_matches.match_rank = 1
)

select * from final
