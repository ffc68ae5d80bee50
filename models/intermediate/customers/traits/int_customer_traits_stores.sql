{#- The preferred store per customer as of the build's reference date (see customer_traits): the store with the most
    in-store sale receipts, then the most recent, and its share of the customer's receipts. One row per customer with
    a sale receipt up to the end of the as-of date. -#}
with

interactions as (
    select * from {{ cdp_up_to_as_of_date(ref('int_customer_interactions'), 'occurred_at') }}
),

store_scores as (
    select
        customer_id,
        store_id,
        max(store_name) as store_name,
        count(*) as receipt_count,
        max(occurred_at) as last_purchase_at
    from interactions
    where source_name = 'pos_transactions' and event_type = 'purchase' and store_id is not null
    group by customer_id, store_id
),

store_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by receipt_count desc, last_purchase_at desc nulls last, store_id asc
        ) as store_rank,
        sum(receipt_count) over (partition by customer_id) as all_receipts
    from store_scores
),

final as (
    select
        customer_id,
        store_id as preferred_store_id,
        store_name as preferred_store_name,
        cast(cast(receipt_count as decimal(18, 4)) / all_receipts as decimal(5, 4)) as preferred_store_share
    from store_ranked
    where store_rank = 1
)

select * from final
