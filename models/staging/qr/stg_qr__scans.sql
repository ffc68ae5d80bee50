{{ config(**cdp_staging_config('scan_id', 'base_qr__scans')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_qr__scans') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'scan_id') }}
),

final as (
    select
        scan_id,
        qr_code_id,
        scan_type,
        anonymous_id,
        latitude,
        longitude,
        store_id,
        transaction_id,
        product_sku,
        scanned_at,
        load_id,
        source_row_number,
        {#- An online scan ties the browser's cookie to the code; its in-store rescan ties the code to the
            till receipt, which is how an online visitor is followed into a shop. -#}
        {{ cdp_identity_markers(
            source_name='qr_scans',
            record_key='scan_id',
            observed_at='scanned_at',
            anonymous_id="case when scan_type = 'online' then anonymous_id end",
            qr_code='qr_code_id',
            pos_transaction="case when scan_type = 'in_store' then transaction_id end"
        ) }}
    from latest_delivery
)

select * from final
