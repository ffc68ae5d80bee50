{{ config(**cdp_staging_config('chat_id', 'base_support__live_chats')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_support__live_chats') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'chat_id') }}
),

normalised as (
    select
        *,
        {{ cdp_normalize_email('visitor_email_delivered') }} as email_address
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
        chat_id,
        anonymous_id,
        email_address,
        email_canonical,
        visitor_name,
        {{ cdp_typed_first_name('visitor_name') }} as visitor_first_name,
        {{ cdp_typed_last_name('visitor_name') }} as visitor_last_name,
        status,
        message_count,
        satisfaction_score,
        started_at,
        ended_at,
        load_id,
        source_row_number,
        {{ cdp_identity_markers(
            source_name='live_chats',
            record_key='chat_id',
            observed_at='started_at',
            anonymous_id='anonymous_id',
            email='email_canonical'
        ) }}
    from canonical
)

select * from final
