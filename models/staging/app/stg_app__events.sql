{{ config(**cdp_staging_config('event_id', 'base_app__events')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_app__events') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'event_id') }}
),

final as (
    select
        event_id,
        event_type,
        occurred_at,
        device_id,
        app_user_id as user_id,
        push_token,
        platform,
        app_version,
        product_sku,
        {{ cdp_normalize_ip_address('ip_address_delivered') }} as ip_address,
        load_id,
        source_row_number,
        {{ cdp_identity_markers(
            source_name='app_events',
            record_key='event_id',
            observed_at='occurred_at',
            device_id='device_id',
            user_id='app_user_id',
            push_token='push_token',
            ip_address=cdp_normalize_ip_address('ip_address_delivered')
        ) }}
    from latest_delivery
)

select * from final
