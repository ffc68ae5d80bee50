with

base as (
    select * from {{ ref('base_loyalty__members') }}
),

latest_delivery as (
    select * from base
    where rejection_reason is null and delivery_rank = 1
),

final as (
    select
        loyalty_card_number,
        {{ cdp_normalize_email('email_delivered') }} as email_address,
        {{ cdp_canonical_email('email_delivered') }} as email_canonical,
        {{ cdp_normalize_phone('phone_delivered') }} as phone_e164,
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
            email=cdp_canonical_email('email_delivered'),
            phone=cdp_normalize_phone('phone_delivered'),
            loyalty_card='loyalty_card_number'
        ) }}
    from latest_delivery
)

select * from final
