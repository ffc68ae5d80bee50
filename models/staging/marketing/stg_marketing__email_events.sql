{{ config(**cdp_staging_config('email_event_id', 'base_marketing__email_events')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_marketing__email_events') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'email_event_id') }}
),

normalised as (
    select
        *,
        {{ cdp_normalize_email('email_delivered') }} as email_address
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
        email_event_id,
        event_type,
        email_address,
        email_canonical,
        campaign_id,
        bounce_type,
        link_url,
        occurred_at,
        load_id,
        source_row_number,
        {{ cdp_identity_markers(
            source_name='email_events',
            record_key='email_event_id',
            observed_at='occurred_at',
            email='email_canonical'
        ) }}
    from canonical
)

select * from final
