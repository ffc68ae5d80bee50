{#- Every interaction of every customer across all sources, one row per source record, to be read in time order
    (customer_id, occurred_at): int_customer_interactions with the record's key. A table rebuilt on every build: an
    incremental path (rewriting only the records that were new or differed in any column) cost more than the
    rebuild at 1,000,000 customers (a day's build: 96.6 against 43.5 s), since finding them compares every row. -#}
with

interactions as (
    select * from {{ ref('int_customer_interactions') }}
),

keyed as (
    select
        {{ cdp_interaction_key() }} as interaction_key,
        *
    from interactions
),

final as (
    select
        interaction_key,
        customer_id,
        occurred_at,
        source_name,
        record_key,
        channel,
        event_type,
        description,
        is_customer_initiated,
        product_sku,
        store_id,
        amount,
        currency_code,
        load_id
    from keyed
)

select * from final
