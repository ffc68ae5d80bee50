{#- Everything the identity rules kept out of a profile, with the rule that did it: blocked values (blocklist,
    patterns) and identifiers cut while the profiles were built (joins_too_many_profiles, ambiguous_connector,
    forced_split, profile_limit, hub_without_profile). Links cut by hubs are listed in audit_identity_hubs. -#}

with

assignments as (
    select * from {{ ref('int_identity_assignments') }}
),

blocked as (
    select
        identifier_type,
        identifier_value,
        rule_type,
        case when block_reason like 'blocklist:%' then 'blocklist' else 'block_pattern' end as cut_rule,
        cast(null as integer) as cut_level,
        block_reason as cut_detail,
        customer_id,
        record_count
    from assignments
    where is_blocked
),

cut_while_resolving as (
    select
        identifier_type,
        identifier_value,
        rule_type,
        cut_rule,
        cut_level,
        cut_detail,
        customer_id,
        record_count
    from assignments
    where not is_blocked and cut_rule is not null
),

final as (
    select * from blocked
    union all
    select * from cut_while_resolving
)

select * from final
