{#- QR code scans of resolved customers as interactions (see int_customer_interactions): online scans (web) and
    in-store rescans (store). An online scan is followed into a shop: linked_transaction_id and linked_at name the
    till receipt of the latest in-store rescan of the same code, when that rescan came at or after the scan. -#}
with

scans as (
    select * from {{ cdp_records_with_customer('qr_scans') }}
),

all_scans as (
    select
        qr_code_id,
        scan_id,
        scan_type,
        transaction_id,
        scanned_at
    from {{ ref('stg_qr__scans') }}
),

stores as (
    select
        store_id,
        store_name
    from {{ ref('stg_pos__stores') }}
),

-- the latest in-store rescan (with a till receipt) of each QR code, whoever made it
qr_rescans as (
    select
        qr_code_id,
        transaction_id,
        scanned_at,
        row_number() over (
            partition by qr_code_id
            order by scanned_at desc nulls last, scan_id desc
        ) as rescan_rank
    from all_scans
    where scan_type = 'in_store' and transaction_id is not null
),

latest_qr_rescans as (
    select
        qr_code_id,
        transaction_id,
        scanned_at
    from qr_rescans
    where rescan_rank = 1
),

final as (
    select
        scans.customer_id,
        scans.source_name,
        scans.record_key,
        scans.scanned_at as occurred_at,
        case when scans.scan_type = 'online' then 'web' else 'store' end as channel,
        'qr_scan_' || scans.scan_type as event_type,
        true as is_customer_initiated,
        case
            when scans.scan_type = 'online' then 'Scanned a QR code online'
            else 'Rescanned a QR code in store at ' || coalesce(stores.store_name, scans.store_id, '(unknown)')
        end || coalesce(' for product ' || scans.product_sku, '') as description,
        case when scans.scan_type = 'online' then 'web:' || scans.anonymous_id end as device_key,
        scans.product_sku,
        scans.store_id,
        stores.store_name,
        case
            when scans.scan_type = 'in_store' then scans.transaction_id
            when latest_qr_rescans.scanned_at >= scans.scanned_at then latest_qr_rescans.transaction_id
        end as linked_transaction_id,
        case
            when scans.scan_type = 'online' and latest_qr_rescans.scanned_at >= scans.scanned_at
                then latest_qr_rescans.scanned_at
        end as linked_at,
        scans.load_id
    from scans
    left join stores
        on scans.store_id = stores.store_id
    left join latest_qr_rescans
        on scans.scan_type = 'online' and scans.qr_code_id = latest_qr_rescans.qr_code_id
)

select * from final
