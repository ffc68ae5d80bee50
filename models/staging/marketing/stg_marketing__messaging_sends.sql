{{ config(**cdp_staging_config('message_event_id', 'base_marketing__messaging_sends')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_marketing__messaging_sends') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'message_event_id') }}
),

final as (
    select
        message_event_id,
        channel,
        event_type,
        {{ cdp_normalize_phone('phone_delivered') }} as phone_e164,
        push_token,
        campaign_id,
        occurred_at,
        load_id,
        source_row_number,
        {{ cdp_identity_markers(
            source_name='messaging_sends',
            record_key='message_event_id',
            observed_at='occurred_at',
            phone=cdp_normalize_phone('phone_delivered'),
            push_token='push_token'
        ) }}
    from latest_delivery
)

select * from final
