{#- Forced splits of identity_overrides that can be applied, in both orientations: the two identifiers must never
    share a profile (enforced level by level in int_identity_resolution). -#}

with

splits as (
    select
        identifier_id,
        other_identifier_id
    from {{ ref('int_identity_overrides') }}
    where override_type = 'split' and not_applicable_reason is null
),

final as (
    select
        identifier_id,
        other_identifier_id
    from splits
    union
    select
        other_identifier_id as identifier_id,
        identifier_id as other_identifier_id
    from splits
)

select * from final
