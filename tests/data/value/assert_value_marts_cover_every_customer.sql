{#- The per-customer value marts have exactly the customers of dim_customers (so BI joins are 1:1; uniqueness and
    the relationship are column tests): returns the marts whose row count differs. -#}
with

customers as (
    select count(*) as customer_count from {{ ref('dim_customers') }}
),

marts as (
    select
        'customer_rfm' as mart_name,
        count(*) as row_count
    from {{ ref('customer_rfm') }}
    union all
    select
        'customer_ltv' as mart_name,
        count(*) as row_count
    from {{ ref('customer_ltv') }}
    union all
    select
        'customer_churn_risk' as mart_name,
        count(*) as row_count
    from {{ ref('customer_churn_risk') }}
    union all
    select
        'customer_value_tier' as mart_name,
        count(*) as row_count
    from {{ ref('customer_value_tier') }}
)

select
    marts.mart_name,
    marts.row_count,
    customers.customer_count
from marts
cross join customers
where marts.row_count <> customers.customer_count
