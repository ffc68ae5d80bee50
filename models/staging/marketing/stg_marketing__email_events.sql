with

base as (
    select * from {{ ref('base_marketing__email_events') }}
),

latest_delivery as (
    select * from base
    where rejection_reason is null and delivery_rank = 1
),

final as (
    select
        email_event_id,
        event_type,
        {{ cdp_normalize_email('email_delivered') }} as email_address,
        {{ cdp_canonical_email('email_delivered') }} as email_canonical,
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
            email=cdp_canonical_email('email_delivered')
        ) }}
    from latest_delivery
)

select * from final
