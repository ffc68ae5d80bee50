{#- Nothing after the reference date enters the value marts: no purchase dated after it, no summary whose last
    purchase or T reaches past it. -#}
with

reference_date as (
    select {{ cdp_as_of_date() }} as as_of_date
)

select purchases.purchase_key as problem
from {{ ref('int_customer_purchases') }} as purchases
cross join reference_date
where purchases.purchase_date > reference_date.as_of_date
union all
select summaries.customer_id
from {{ ref('int_customer_btyd_summary') }} as summaries
cross join reference_date
where
    summaries.last_purchase_date > reference_date.as_of_date
    or summaries.btyd_recency_days > summaries.btyd_t_days
    or summaries.as_of_date <> reference_date.as_of_date
