{#- Cart traits per customer as of the build's reference date (see customer_traits). A cart is the add-to-cart events
    (web or app) of one customer on one UTC day; it is abandoned when no purchase (online order not cancelled, or
    in-store sale) follows its first add-to-cart within cdp_abandoned_cart_days() days, once those days have passed
    by the as-of date; until then it is open. One row per customer with a cart up to the end of the as-of date. -#}
{%- set cart_days = cdp_abandoned_cart_days() -%}

with

interactions as {{ cdp_inline_cte() }} (
    select * from {{ cdp_up_to_as_of_date(ref('int_customer_interactions'), 'occurred_at') }}
),

as_of as (
    select {{ dbt.dateadd('day', 1, 'as_of_date') }} as window_end
    from (select {{ cdp_as_of_date() }} as as_of_date) as reference_date
),

carts as (
    select
        customer_id,
        min(occurred_at) as started_at,
        0 as event_order
    from interactions
    where source_name in ('web_events', 'app_events') and event_type = 'add_to_cart'
    group by customer_id, cast(occurred_at as date)
),

purchases as (
    select
        customer_id,
        occurred_at as started_at,
        1 as event_order
    from interactions
    where
        (source_name = 'shop_orders' and status <> 'cancelled')
        or (source_name = 'pos_transactions' and event_type = 'purchase')
),

carts_and_purchases as (
    select
        customer_id,
        started_at,
        event_order,
        min(case when event_order = 1 then started_at end) over (
            partition by customer_id
            order by started_at asc nulls last, event_order asc
            rows between current row and unbounded following
        ) as next_purchase_at
    from (
        select * from carts
        union all
        select * from purchases
    ) as timeline
),

cart_outcomes as (
    select
        carts_and_purchases.customer_id,
        carts_and_purchases.started_at,
        carts_and_purchases.next_purchase_at is not null
        and carts_and_purchases.next_purchase_at
        <= {{ dbt.dateadd('day', cart_days, 'carts_and_purchases.started_at') }} as is_converted,
        {{ dbt.dateadd('day', cart_days, 'carts_and_purchases.started_at') }} <= as_of.window_end as is_decided
    from carts_and_purchases
    cross join as_of
    where carts_and_purchases.event_order = 0
),

final as (
    select
        customer_id,
        count(*) as cart_count,
        count(case when is_decided and not is_converted then 1 end) as abandoned_cart_count,
        max(case when is_decided and not is_converted then started_at end) as last_abandoned_cart_at,
        max(case when not is_decided and not is_converted then 1 else 0 end) = 1 as has_open_cart
    from cart_outcomes
    group by customer_id
)

select * from final
