{{ config(**cdp_staging_config('event_id', 'base_web__events')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_web__events') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'event_id') }}
),

normalised as (
    select
        event_id,
        event_type,
        occurred_at,
        anonymous_id,
        user_id,
        {{ cdp_normalize_email('email_delivered') }} as email_address,
        session_id,
        page_url,
        product_sku,
        device_type,
        {{ cdp_normalize_ip_address('ip_address_delivered') }} as ip_address,
        user_agent,
        {{ cdp_is_bot_user_agent('user_agent') }} as is_bot,
        utm_source,
        utm_medium,
        utm_campaign,
        load_id,
        source_row_number
    from latest_delivery
),

canonical as (
    select
        *,
        {{ cdp_email_identity_form('email_address') }} as email_canonical
    from normalised
),

final as (
    select
        event_id,
        event_type,
        occurred_at,
        anonymous_id,
        user_id,
        email_address,
        email_canonical,
        session_id,
        page_url,
        product_sku,
        device_type,
        ip_address,
        user_agent,
        is_bot,
        utm_source,
        utm_medium,
        utm_campaign,
        load_id,
        source_row_number,
        {#- A bot's cookie, IP or login identifies no person: bot events carry no identity markers. -#}
        {{ cdp_identity_markers(
            source_name='web_events',
            record_key='event_id',
            observed_at='occurred_at',
            anonymous_id='case when not is_bot then anonymous_id end',
            user_id='case when not is_bot then user_id end',
            email='case when not is_bot then email_canonical end',
            ip_address='case when not is_bot then ip_address end'
        ) }}
    from canonical
)

select * from final
