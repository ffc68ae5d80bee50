{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('qr', 'qr_scans')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('qr', 'qr_scans') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('qr', 'qr_scans'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('scan_id') }} as scan_id,
        {{ cdp_clean_string('qr_code_id') }} as qr_code_id,
        lower({{ cdp_clean_string('scan_type') }}) as scan_type,
        {{ cdp_clean_string('anonymous_id') }} as anonymous_id,
        {{ cdp_valid_or_null(cdp_parse_decimal('latitude', 9, 6), 'between -90 and 90') }} as latitude,
        {{ cdp_clean_string('latitude') }} as latitude_delivered,
        {{ cdp_valid_or_null(cdp_parse_decimal('longitude', 9, 6), 'between -180 and 180') }} as longitude,
        {{ cdp_clean_string('longitude') }} as longitude_delivered,
        {{ cdp_clean_string('store_id') }} as store_id,
        {{ cdp_clean_string('transaction_id') }} as transaction_id,
        {{ cdp_clean_string('product_sku') }} as product_sku,
        {{ cdp_to_utc_timestamp('scanned_at') }} as scanned_at,
        {{ cdp_clean_string('scanned_at') }} as scanned_at_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('scan_id') }}
            {{ cdp_missing('qr_code_id') }}
            {{ cdp_missing('scan_type') }}
            {{ cdp_unparsed('scanned_at') }}
            {{ cdp_missing('scanned_at') }}
            {{ cdp_unknown_value('scan_type', ['online', 'in_store']) }}
        end as rejection_reason
    from typed
),

final as (
    select * from checked
)

select * from final
