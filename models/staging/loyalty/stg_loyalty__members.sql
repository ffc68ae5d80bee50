{{ config(**cdp_staging_config('loyalty_card_number', 'base_loyalty__members')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_loyalty__members') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'loyalty_card_number') }}
),

normalised as (
    select
        *,
        {{ cdp_normalize_email('email_delivered') }} as email_address,
        {{ cdp_normalize_phone('phone_delivered') }} as phone_e164
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
        loyalty_card_number,
        email_address,
        email_canonical,
        phone_e164,
        first_name,
        last_name,
        tier,
        joined_at,
        points_balance,
        status as member_status,
        status = 'active' as is_active,
        load_id,
        source_row_number,
        {{ cdp_identity_markers(
            source_name='loyalty_members',
            record_key='loyalty_card_number',
            observed_at='joined_at',
            email='email_canonical',
            phone='phone_e164',
            loyalty_card='loyalty_card_number'
        ) }}
    from canonical
)

select * from final
