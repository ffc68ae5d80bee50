{#- No profile holds more identifiers of a rule type than max_per_profile allows. Profiles shaped by a forced
    merge (identity_overrides) are exempt: a steward's merge overrides the limits. -#}

with

members as (
    select
        members.profile_key,
        identifiers.rule_type
    from {{ ref('int_identity_profile_members') }} as members
    inner join {{ ref('int_identity_identifiers') }} as identifiers
        on members.identifier_id = identifiers.identifier_id
    where members.profile_key is not null
),

forced as (
    select profile_key
    from {{ ref('int_identity_customers') }}
    where has_forced_merge
),

counts as (
    select
        members.profile_key,
        members.rule_type,
        count(*) as identifiers
    from members
    left join forced
        on members.profile_key = forced.profile_key
    where forced.profile_key is null
    group by members.profile_key, members.rule_type
)

select
    counts.profile_key,
    counts.rule_type,
    counts.identifiers,
    rules.max_per_profile
from counts
inner join {{ ref('identifier_types') }} as rules
    on counts.rule_type = rules.identifier_type
where rules.max_per_profile is not null and counts.identifiers > rules.max_per_profile
