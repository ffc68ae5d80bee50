{{ config(**cdp_staging_config('ticket_id', 'base_support__tickets')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_support__tickets') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'ticket_id') }}
),

normalised as (
    select
        *,
        {{ cdp_normalize_email('requester_email_delivered') }} as email_address,
        {{ cdp_normalize_phone('requester_phone_delivered') }} as phone_e164
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
        ticket_id,
        email_address,
        email_canonical,
        phone_e164,
        requester_name,
        {{ cdp_typed_first_name('requester_name') }} as requester_first_name,
        {{ cdp_typed_last_name('requester_name') }} as requester_last_name,
        channel,
        category,
        status,
        satisfaction_score,
        created_at,
        solved_at,
        load_id,
        source_row_number,
        {{ cdp_identity_markers(
            source_name='support_tickets',
            record_key='ticket_id',
            observed_at='created_at',
            email='email_canonical',
            phone='phone_e164'
        ) }}
    from canonical
)

select * from final
