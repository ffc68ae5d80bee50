{#- Lifetime value per customer as of the reference date. Historical: purchases, revenue, refunds, margin where the
    catalogue knows the cost, tenure and average order value (reporting currency). Predictive: the BTYD summary
    (int_customer_btyd_summary) and the BG/NBD / Gamma-Gamma predictions over var ltv_horizon_days
    (int_customer_ltv_predictions, fitted once in int_ltv_model_fit), with the method of each figure and is_fallback
    when a documented fallback replaced a model. One row per customer of dim_customers; customers without a purchase
    have has_purchased false, zero counts and amounts and no predictions. -#}
with

customers as (
    select customer_id from {{ ref('dim_customers') }}
),

purchases as (
    select * from {{ ref('int_customer_purchases') }}
),

summaries as (
    select * from {{ ref('int_customer_btyd_summary') }}
),

predictions as (
    select * from {{ ref('int_customer_ltv_predictions') }}
),

reference_date as (
    select {{ cdp_as_of_date() }} as as_of_date
),

history as (
    select
        customer_id,
        min(case when is_purchase then purchase_date end) as first_purchase_date,
        max(case when is_purchase then purchase_date end) as last_purchase_date,
        sum(case when is_purchase then 1 else 0 end) as order_count,
        sum(case when is_purchase and channel = 'web' then 1 else 0 end) as online_order_count,
        sum(case when is_purchase and channel = 'store' then 1 else 0 end) as store_purchase_count,
        sum(case when is_unconverted then 1 else 0 end) as unconverted_order_count,
        sum(coalesce(charged_amount, 0)) as gross_revenue,
        sum(coalesce(refunded_amount, 0)) as refunded_amount,
        sum(coalesce(net_amount, 0)) as net_revenue,
        sum(coalesce(costed_line_amount, 0) - coalesce(cost_amount, 0)) as margin_amount,
        sum(coalesce(costed_line_amount, 0)) as costed_line_amount,
        sum(coalesce(line_amount, 0)) as line_amount
    from purchases
    group by customer_id
),

buyers as (
    select * from history
    where order_count > 0
),

final as (
    select
        customers.customer_id,
        reference_date.as_of_date,
        buyers.customer_id is not null as has_purchased,
        buyers.first_purchase_date,
        buyers.last_purchase_date,
        cast({{ dbt.datediff(
            'buyers.first_purchase_date',
            'reference_date.as_of_date',
            'day'
        ) }} as integer) as tenure_days,
        cast(coalesce(buyers.order_count, 0) as integer) as order_count,
        cast(coalesce(buyers.online_order_count, 0) as integer) as online_order_count,
        cast(coalesce(buyers.store_purchase_count, 0) as integer) as store_purchase_count,
        cast(coalesce(buyers.unconverted_order_count, 0) as integer) as unconverted_order_count,
        cast(coalesce(buyers.gross_revenue, 0) as decimal(18, 2)) as gross_revenue,
        cast(coalesce(buyers.refunded_amount, 0) as decimal(18, 2)) as refunded_amount,
        cast(coalesce(buyers.net_revenue, 0) as decimal(18, 2)) as net_revenue,
        cast(case when buyers.costed_line_amount <> 0 then buyers.margin_amount end as decimal(18, 2)) as margin_amount,
        -- divisions of doubles on every engine (DuckDB divides decimals as doubles; Spark would round a decimal)
        cast(case
            when buyers.line_amount <> 0 then cast(buyers.costed_line_amount as double) / buyers.line_amount
        end as double) as margin_cost_coverage,
        cast(
            {{ cdp_money_per_count('buyers.net_revenue', 'buyers.order_count') }} as decimal(18, 2)
        ) as average_order_value,
        summaries.btyd_frequency,
        summaries.btyd_recency_days,
        summaries.btyd_t_days,
        summaries.btyd_monetary,
        summaries.btyd_monetary_days,
        summaries.is_in_model_fit,
        predictions.p_alive as probability_alive,
        predictions.expected_purchases,
        predictions.expected_order_value as expected_average_order_value,
        predictions.clv as predicted_clv,
        cast(predictions.horizon_days as integer) as horizon_days,
        predictions.discount_rate_annual,
        predictions.purchases_method,
        predictions.spend_method,
        predictions.purchases_method = 'heuristic'
        or predictions.spend_method in ('customer_mean', 'population_mean', 'none') as is_fallback
    from customers
    cross join reference_date
    left join buyers
        on customers.customer_id = buyers.customer_id
    left join summaries
        on customers.customer_id = summaries.customer_id
    left join predictions
        on customers.customer_id = predictions.customer_id
)

select * from final
