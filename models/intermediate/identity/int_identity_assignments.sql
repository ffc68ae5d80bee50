{#- Every identifier with its customer (null when it has none) and why: assigned, cut by a rule (cut_rule), blocked,
    or statistical (never links). The current state compared build to build by int_identity_assignment_log. -#}

with

identifiers as (
    select * from {{ ref('int_identity_identifiers') }}
),

members as (
    select * from {{ ref('int_identity_profile_members') }}
),

customers as (
    select
        profile_key,
        customer_id,
        identity_status,
        identity_confidence,
        anchor_deterministic_profile_key
    from {{ ref('int_identity_customers') }}
),

final as (
    select
        identifiers.identifier_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.rule_type,
        identifiers.kind,
        identifiers.priority,
        identifiers.is_linkable,
        identifiers.is_blocked,
        identifiers.block_reason,
        customers.customer_id,
        case
            when identifiers.is_blocked then 'blocked'
            when not identifiers.is_linkable then 'statistical'
            when customers.customer_id is not null then 'assigned'
            else 'cut'
        end as resolution_status,
        -- statistical: the identifier belongs to its customer through a statistical link only (its deterministic
        -- profile is not the anchor's)
        case
            when customers.customer_id is null then null
            when members.deterministic_profile_key = customers.anchor_deterministic_profile_key then 'deterministic'
            else 'statistical'
        end as link_kind,
        customers.identity_status,
        customers.identity_confidence,
        members.deterministic_customer_id,
        members.cut_rule,
        members.cut_level,
        members.cut_detail,
        coalesce(members.is_force_merged, false) as is_force_merged,
        identifiers.first_seen_at,
        identifiers.last_seen_at,
        identifiers.first_loaded_at,
        identifiers.record_count,
        identifiers.source_count
    from identifiers
    left join members
        on identifiers.identifier_id = members.identifier_id
    left join customers
        on members.profile_key = customers.profile_key
)

select * from final
