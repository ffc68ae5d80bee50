{#- Every manual decision of identity_overrides and what the last build did with it: applied (merge: both
    identifiers share a customer; split: they do not), or why it could not be applied. -#}

with

overrides as (
    select * from {{ ref('int_identity_overrides') }}
),

assignments as (
    select
        identifier_id,
        customer_id
    from {{ ref('int_identity_assignments') }}
),

final as (
    select
        overrides.override_type,
        overrides.identifier_type,
        overrides.identifier_value,
        overrides.other_identifier_type,
        overrides.other_identifier_value,
        overrides.reason,
        overrides.requested_by,
        overrides.requested_at,
        one.customer_id,
        other.customer_id as other_customer_id,
        case
            when overrides.not_applicable_reason is not null then overrides.not_applicable_reason
            when overrides.override_type = 'merge' and one.customer_id = other.customer_id then 'applied'
            when
                overrides.override_type = 'split'
                and (one.customer_id is null or other.customer_id is null or one.customer_id <> other.customer_id)
                then 'applied'
            else 'not_applied: conflicts with another override'
        end as override_status
    from overrides
    left join assignments as one
        on overrides.identifier_id = one.identifier_id
    left join assignments as other
        on overrides.other_identifier_id = other.identifier_id
)

select * from final
