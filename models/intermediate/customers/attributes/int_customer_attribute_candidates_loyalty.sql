{#- The values loyalty cards offer for the golden attributes of their customer (see
    int_customer_attribute_candidates), as of joining: names, e-mail, phone and the card's tier; the tier of a closed
    card is flagged (is_closed_record) so that survivorship suppresses it. -#}
with

members as (
    select * from {{ cdp_records_with_customer('loyalty_members') }}
),

final as (
    {{ cdp_attribute_candidates(
        'members',
        observed_at='joined_at',
        is_closed='not coalesce(is_active, true)',
        attributes=[
            ('first_name', cdp_tidy_person_name('trim(first_name)')),
            ('last_name', cdp_tidy_person_name('trim(last_name)')),
            ('email', 'email_address'),
            ('phone', 'phone_e164'),
            ('loyalty_tier', 'lower(tier)'),
        ],
    ) }}
)

select * from final
