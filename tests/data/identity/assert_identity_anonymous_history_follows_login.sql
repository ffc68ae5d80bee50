{#- Anonymous activity resolves to the person once the cookie or device logs in: every web, app and QR record that
    carries a cookie (anonymous_id) or app install (device_id) belonging to a customer, and no stronger identifier
    of another customer, has that customer, including the events before the first login or sign-up. -#}

with

device_identifiers as (
    select
        identifier_type,
        identifier_value,
        customer_id
    from {{ ref('int_identity_assignments') }}
    where identifier_type in ('anonymous_id', 'device_id') and customer_id is not null
),

markers as (
    select
        source_name,
        record_key,
        'anonymous_id' as identifier_type,
        marker_anonymous_id as identifier_value
    from {{ ref('int_identity_source_records') }}
    where marker_anonymous_id is not null and source_name in ('web_events', 'app_events', 'qr_scans')
    union all
    select
        source_name,
        record_key,
        'device_id' as identifier_type,
        marker_device_id as identifier_value
    from {{ ref('int_identity_source_records') }}
    where marker_device_id is not null and source_name in ('web_events', 'app_events', 'qr_scans')
),

records as (
    select
        markers.source_name,
        markers.record_key,
        device_identifiers.customer_id as device_customer_id
    from markers
    inner join device_identifiers
        on
            markers.identifier_type = device_identifiers.identifier_type
            and markers.identifier_value = device_identifiers.identifier_value
)

select
    records.source_name,
    records.record_key,
    records.device_customer_id,
    record_map.customer_id
from records
inner join {{ ref('identity_record_map') }} as record_map
    on records.source_name = record_map.source_name and records.record_key = record_map.record_key
where
    (record_map.customer_id is null or record_map.customer_id <> records.device_customer_id)
    and not record_map.has_conflicting_identifiers
