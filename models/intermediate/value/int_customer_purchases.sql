{#- Every purchase transaction of a resolved customer up to the end of the reference date, online and in store, with
    its money in the reporting currency (var cdp_reporting_currency, rates from the seed currency_rates:
    cdp_currency_rates): shop orders that were not cancelled (net of their refunds) and till receipts (sales, and
    returns as negative receipts). One row per order or receipt; a transaction in a currency without a rate is kept,
    flagged is_unconverted, with its money figures null. Margin figures come from the lines whose product has a unit
    cost in the catalogue. -#}
with

orders as (
    select * from {{ cdp_records_with_customer('shop_orders') }}
),

order_lines as (
    select * from {{ ref('stg_shop__order_lines') }}
),

receipts as (
    select * from {{ cdp_records_with_customer('pos_transactions') }}
),

receipt_lines as (
    select * from {{ ref('stg_pos__transaction_lines') }}
),

products as (
    select * from {{ ref('stg_catalog__products') }}
),

rates as (
    select * from {{ cdp_currency_rates() }}
),

reference_date as (
    select {{ cdp_as_of_date() }} as as_of_date
),

-- lines of both sources in one shape: the line's net amount and, where the catalogue knows it, its cost
all_lines as (
    select
        'shop_orders' as source_name,
        order_lines.order_id as record_key,
        order_lines.net_amount,
        order_lines.quantity,
        order_lines.product_sku
    from order_lines
    union all
    select
        'pos_transactions' as source_name,
        receipt_lines.transaction_id as record_key,
        receipt_lines.net_amount,
        receipt_lines.quantity,
        receipt_lines.product_sku
    from receipt_lines
),

line_costs as (
    select
        all_lines.source_name,
        all_lines.record_key,
        sum(all_lines.net_amount) as line_amount,
        sum(case when products.unit_cost is not null then all_lines.net_amount end) as costed_line_amount,
        sum(
            case
                when products.unit_cost is not null
                    then all_lines.quantity * products.unit_cost * cost_rates.rate_to_reporting
            end
        ) as cost_amount
    from all_lines
    left join products
        on all_lines.product_sku = products.product_sku
    left join rates as cost_rates
        on products.currency_code = cost_rates.currency_code
    group by all_lines.source_name, all_lines.record_key
),

transactions as (
    select
        customer_id,
        source_name,
        record_key,
        'web' as channel,
        ordered_at as purchased_at,
        true as is_purchase,
        currency_code,
        total_amount as charged_amount,
        coalesce(refunded_amount, 0) as refunded_amount
    from orders
    where order_status <> 'cancelled'
    union all
    select
        customer_id,
        source_name,
        record_key,
        'store' as channel,
        occurred_at as purchased_at,
        not is_return as is_purchase,
        currency_code,
        case when is_return then 0 else total_amount end as charged_amount,
        case when is_return then -total_amount else 0 end as refunded_amount
    from receipts
),

final as (
    select
        {{ cdp_interaction_key('transactions') }} as purchase_key,
        transactions.customer_id,
        transactions.source_name,
        transactions.record_key,
        transactions.channel,
        transactions.purchased_at,
        cast(transactions.purchased_at as date) as purchase_date,
        transactions.is_purchase,
        transactions.currency_code,
        rates.rate_to_reporting is null as is_unconverted,
        cast(transactions.charged_amount * rates.rate_to_reporting as decimal(18, 2)) as charged_amount,
        cast(transactions.refunded_amount * rates.rate_to_reporting as decimal(18, 2)) as refunded_amount,
        cast(
            (transactions.charged_amount - transactions.refunded_amount) * rates.rate_to_reporting as decimal(18, 2)
        ) as net_amount,
        cast(line_costs.costed_line_amount * rates.rate_to_reporting as decimal(18, 2)) as costed_line_amount,
        cast(line_costs.line_amount * rates.rate_to_reporting as decimal(18, 2)) as line_amount,
        cast(line_costs.cost_amount as decimal(18, 2)) as cost_amount
    from transactions
    cross join reference_date
    left join rates
        on transactions.currency_code = rates.currency_code
    left join line_costs
        on
            transactions.source_name = line_costs.source_name
            and transactions.record_key = line_costs.record_key
    -- nothing after the end of the reference date
    where cast(transactions.purchased_at as date) <= reference_date.as_of_date
)

select * from final
