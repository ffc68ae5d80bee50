{#- Online-to-offline traits per customer as of the build's reference date (see customer_traits): in-store sale
    receipts with a product the customer viewed online (web or app) within cdp_online_to_offline_days() days before,
    and QR codes the customer scanned online that were rescanned in a store with a till receipt at or after the scan;
    whether either happened, and the latest such purchase or rescan. One row per customer with either. -#}
{%- set o2o_days = cdp_online_to_offline_days() -%}

with

interactions as (
    select * from {{ cdp_up_to_as_of_date(ref('int_customer_interactions'), 'occurred_at') }}
),

product_activity as (
    select * from {{ cdp_up_to_as_of_date(ref('int_customer_product_activity'), 'occurred_at') }}
),

views_and_store_purchases as (
    select
        customer_id,
        product_sku,
        record_key,
        occurred_at,
        case when activity = 'view' then 0 else 1 end as event_order
    from product_activity
    where activity = 'view' or (activity = 'purchase' and channel = 'store')
),

researched as (
    select
        customer_id,
        record_key,
        occurred_at,
        event_order,
        max(case when event_order = 0 then occurred_at end) over (
            partition by customer_id, product_sku
            order by occurred_at asc nulls last, event_order asc
            rows between unbounded preceding and current row
        ) as last_viewed_at
    from views_and_store_purchases
),

researched_purchases as (
    select
        customer_id,
        count(distinct record_key) as online_to_offline_purchase_count,
        max(occurred_at) as last_online_to_offline_purchase_at
    from researched
    where
        event_order = 1
        and last_viewed_at is not null
        and occurred_at <= {{ dbt.dateadd('day', o2o_days, 'last_viewed_at') }}
    group by customer_id
),

qr_rescans as (
    select
        customer_id,
        count(case when linked_transaction_id is not null then 1 end) as qr_online_to_offline_count,
        max(linked_at) as last_qr_online_to_offline_at
    from interactions
    where event_type = 'qr_scan_online'
    group by customer_id
),

final as (
    select
        coalesce(researched_purchases.customer_id, qr_rescans.customer_id) as customer_id,
        coalesce(researched_purchases.online_to_offline_purchase_count, 0) as online_to_offline_purchase_count,
        coalesce(qr_rescans.qr_online_to_offline_count, 0) as qr_online_to_offline_count,
        coalesce(researched_purchases.online_to_offline_purchase_count, 0) > 0
        or coalesce(qr_rescans.qr_online_to_offline_count, 0) > 0 as is_online_to_offline_shopper,
        case
            when researched_purchases.last_online_to_offline_purchase_at is null
                then qr_rescans.last_qr_online_to_offline_at
            when qr_rescans.last_qr_online_to_offline_at is null
                then researched_purchases.last_online_to_offline_purchase_at
            when researched_purchases.last_online_to_offline_purchase_at > qr_rescans.last_qr_online_to_offline_at
                then researched_purchases.last_online_to_offline_purchase_at
            else qr_rescans.last_qr_online_to_offline_at
        end as last_online_to_offline_at
    from researched_purchases
    full outer join qr_rescans
        on researched_purchases.customer_id = qr_rescans.customer_id
)

select * from final
