-- Every timestamp text converts to the expected UTC instant; unparseable text gives null.
with

cases as (
    select * from {{ ref('timestamp_cases') }}
),

normalised as (
    select
        case_id,
        delivered,
        {{ cdp_safe_cast('expected_utc', dbt.type_timestamp()) }} as expected_utc,
        {{ cdp_to_utc_timestamp('delivered') }} as actual_utc
    from cases
),

final as (
    select * from normalised
    where
        (actual_utc is null and expected_utc is not null)
        or (actual_utc is not null and expected_utc is null)
        or actual_utc <> expected_utc
)

select * from final
