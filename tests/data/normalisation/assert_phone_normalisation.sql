-- Every tricky phone case becomes its expected E.164 number: the row's country when known, else GB.
with

cases as (
    select * from {{ ref('phone_cases') }}
),

normalised as (
    select
        case_id,
        delivered,
        country,
        expected_e164,
        {{ cdp_normalize_phone('delivered', 'GB', country_expression='country') }} as actual_e164,
        {{ cdp_normalize_phone('delivered', 'GB') }} as actual_without_country
    from cases
),

final as (
    select * from normalised
    where
        coalesce(actual_e164, '') <> coalesce(expected_e164, '')
        or (country is null and coalesce(actual_without_country, '') <> coalesce(expected_e164, ''))
)

select * from final
