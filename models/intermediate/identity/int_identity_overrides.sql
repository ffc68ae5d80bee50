{#- The manual decisions of identity_overrides with the ids of both identifiers and whether they can be applied:
    both identifiers must have been seen, be unblocked and be linkable (an IP address cannot be merged). -#}

with

overrides as (
    select
        override_type,
        identifier_type,
        identifier_value,
        other_identifier_type,
        other_identifier_value,
        reason,
        requested_by,
        requested_at,
        {{ cdp_identity_hash("identifier_type || ':' || identifier_value") }} as identifier_id,
        {{ cdp_identity_hash("other_identifier_type || ':' || other_identifier_value") }} as other_identifier_id
    from {{ ref('identity_overrides') }}
),

identifiers as (
    select
        identifier_id,
        is_blocked,
        is_linkable
    from {{ ref('int_identity_identifiers') }}
),

final as (
    select
        overrides.override_type,
        overrides.identifier_id,
        overrides.identifier_type,
        overrides.identifier_value,
        overrides.other_identifier_id,
        overrides.other_identifier_type,
        overrides.other_identifier_value,
        overrides.reason,
        overrides.requested_by,
        overrides.requested_at,
        case
            when one.identifier_id is null or other.identifier_id is null then 'not_applicable: identifier not seen'
            when one.is_blocked or other.is_blocked then 'not_applicable: identifier blocked'
            when not one.is_linkable or not other.is_linkable then 'not_applicable: identifier not linkable'
            when overrides.identifier_id = other.identifier_id then 'not_applicable: the same identifier twice'
        end as not_applicable_reason
    from overrides
    left join identifiers as one
        on overrides.identifier_id = one.identifier_id
    left join identifiers as other
        on overrides.other_identifier_id = other.identifier_id
)

select * from final
