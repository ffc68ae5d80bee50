{#- Till receipts of resolved customers as interactions (see int_customer_interactions): in-store purchases and
    returns, with their store and total. -#}
with

receipts as (
    select * from {{ cdp_records_with_customer('pos_transactions') }}
),

stores as (
    select
        store_id,
        store_name
    from {{ ref('stg_pos__stores') }}
),

final as (
    select
        receipts.customer_id,
        receipts.source_name,
        receipts.record_key,
        receipts.occurred_at,
        'store' as channel,
        case when receipts.is_return then 'return' else 'purchase' end as event_type,
        true as is_customer_initiated,
        case when receipts.is_return then 'Returned goods at ' else 'Bought in store at ' end
        || coalesce(stores.store_name, receipts.store_id) || ': '
        || cast(receipts.total_amount as {{ dbt.type_string() }}) || ' ' || receipts.currency_code as description,
        receipts.store_id,
        stores.store_name,
        receipts.transaction_type as status,
        receipts.total_amount as amount,
        receipts.currency_code,
        receipts.load_id
    from receipts
    left join stores
        on receipts.store_id = stores.store_id
)

select * from final
