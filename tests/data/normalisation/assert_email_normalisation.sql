-- Every tricky e-mail case normalises to its expected address and identity form.
with

cases as (
    select * from {{ ref('email_cases') }}
),

normalised as (
    select
        case_id,
        delivered,
        expected_address,
        expected_canonical,
        {{ cdp_normalize_email('delivered') }} as actual_address,
        {{ cdp_canonical_email('delivered') }} as actual_canonical
    from cases
),

final as (
    select * from normalised
    where
        coalesce(actual_address, '') <> coalesce(expected_address, '')
        or coalesce(actual_canonical, '') <> coalesce(expected_canonical, '')
)

select * from final
