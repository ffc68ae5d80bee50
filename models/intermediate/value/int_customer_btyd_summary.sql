{#- The "buy till you die" summary per customer with at least one purchase day up to the reference date (the input
    of the BG/NBD and Gamma-Gamma fits, cdp_runner.value.ltv). A purchase day is a day (UTC) with at least one purchase
    (an order or a till sale); its amount is the net of every transaction that day (refunds and till returns of that
    day included) in the reporting currency. Days with returns only are not purchase days. A purchase in a currency
    without a rate (int_customer_purchases.is_unconverted) counts as a purchase day; its money does not, so a day
    with nothing but such purchases has no amount and is left out of the monetary mean.
      btyd_frequency      distinct purchase days - 1
      btyd_recency_days   days from the first to the last purchase day
      btyd_t_days         days from the first purchase day to the reference date
      btyd_monetary       mean net amount of the repeat purchase days (the first day excluded) whose net amount is
                          > 0; 0 when there are none
      btyd_monetary_days  how many days that mean is taken over (Gamma-Gamma's x)
    is_in_model_fit says whether the customer's history enters the fit: every customer with an identifier other than
    the till receipt itself. A "customer" known only by one receipt id is an anonymous store sale nobody could link to
    a person, not a purchase history; fitting on those would count every anonymous visit as a one-time buyer. They
    still get predictions from the fitted models. -#}
with

purchases as (
    select * from {{ ref('int_customer_purchases') }}
),

identifiers as (
    select
        customer_id,
        max(case when identifier_type <> 'pos_transaction' then 1 else 0 end) as has_person_identifier
    from {{ ref('identity_map') }}
    group by customer_id
),

reference_date as (
    select {{ cdp_as_of_date() }} as as_of_date
),

days as (
    select
        customer_id,
        purchase_date,
        sum(case when not is_unconverted then net_amount end) as net_amount,
        max(case when is_purchase then 1 else 0 end) as is_purchase_day
    from purchases
    group by customer_id, purchase_date
),

purchase_days as (
    select
        customer_id,
        purchase_date,
        net_amount,
        min(purchase_date) over (partition by customer_id) as first_purchase_date
    from days
    where is_purchase_day = 1
),

per_customer as (
    select
        customer_id,
        min(purchase_date) as first_purchase_date,
        max(purchase_date) as last_purchase_date,
        count(*) as purchase_day_count,
        sum(case when purchase_date > first_purchase_date and net_amount > 0 then 1 else 0 end) as monetary_days,
        sum(case when purchase_date > first_purchase_date and net_amount > 0 then net_amount else 0 end) as monetary_sum
    from purchase_days
    group by customer_id
),

final as (
    select
        per_customer.customer_id,
        reference_date.as_of_date,
        per_customer.first_purchase_date,
        per_customer.last_purchase_date,
        cast(per_customer.purchase_day_count - 1 as integer) as btyd_frequency,
        cast({{ dbt.datediff(
            'per_customer.first_purchase_date',
            'per_customer.last_purchase_date',
            'day'
        ) }} as integer) as btyd_recency_days,
        cast({{ dbt.datediff(
            'per_customer.first_purchase_date',
            'reference_date.as_of_date',
            'day'
        ) }} as integer) as btyd_t_days,
        -- a double division on every engine (DuckDB divides decimals as doubles; Spark would keep a decimal rounded
        -- to its scale, and the Gamma-Gamma fit, flat near its optimum, turns that last digit into another estimate)
        cast(case
            when per_customer.monetary_days > 0
                then cast(per_customer.monetary_sum as double) / per_customer.monetary_days
            else 0
        end as double) as btyd_monetary,
        cast(per_customer.monetary_days as integer) as btyd_monetary_days,
        coalesce(identifiers.has_person_identifier, 0) = 1 as is_in_model_fit
    from per_customer
    cross join reference_date
    left join identifiers
        on per_customer.customer_id = identifiers.customer_id
)

select * from final
