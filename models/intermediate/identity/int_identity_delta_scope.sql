{#- The identifiers whose rows a delta build rewrites after the resolution (profile members, customers, assignments,
    the assignment log and merges). Seeds: the re-resolved identifiers (int_identity_affected: every identifier the
    pending loads carry, blocked and statistical ones too), every member of a profile joined by a forced merge (an
    override may apply for the first time because one of its identifiers arrived), and every identifier whose final
    profile, deterministic profile or confidence after the statistical links differs from what the last build wrote
    (statistical links are scored on all the data every build, so a link may appear or go anywhere in the graph).
    The scope is the seeds and every member of a profile holding a seed, both as the last build grouped them and as
    this build does: so every profile that changes, gained or lost a member, lies wholly inside it. Empty after a
    full build. -#}
-- depends_on: {{ ref('int_identity_batch') }}
{%- set is_delta = cdp_identity_build_mode() == 'delta' %}
{#- What the last build wrote: int_identity_profile_members, downstream of this model (so not a ref), read before
    this build rewrites it. Without it everything is in scope. -#}
{%- set written = cdp_identity_previous_members() if is_delta else none %}

with

affected as (
    select identifier_id from {{ ref('int_identity_affected') }}
),

current_members as (
    select
        identifier_id,
        coalesce(profile_key, identifier_id) as profile_key,
        deterministic_profile_key,
        deterministic_customer_id,
        identity_confidence
    from {{ ref('int_identity_statistical_merges') }}
),

previous_members as (
    select
        identifier_id,
        coalesce(profile_key, identifier_id) as profile_key,
        deterministic_profile_key,
        deterministic_customer_id,
        identity_confidence,
        {{ 'is_force_merged' if written is not none else 'true as is_force_merged' }}
    from {{ written if written is not none else ref('int_identity_statistical_merges') }}
    {% if written is none %}where 1 = 0{% endif %}
),

merged as (
    select node_id from {{ ref('int_identity_forced_merge_components') }}
),

force_merged as (
    select current_members.identifier_id
    from current_members
    inner join merged
        on current_members.profile_key = merged.node_id
),

-- a row the last build force-merged is compared in full: its written profile is the merge's, not the link's
changed as (
    select current_members.identifier_id
    from current_members
    left join previous_members
        on current_members.identifier_id = previous_members.identifier_id
    where
        previous_members.identifier_id is null
        or previous_members.is_force_merged
        or current_members.profile_key <> previous_members.profile_key
        or current_members.deterministic_profile_key is distinct from previous_members.deterministic_profile_key
        or current_members.deterministic_customer_id is distinct from previous_members.deterministic_customer_id
        or current_members.identity_confidence is distinct from previous_members.identity_confidence
    union
    -- an identifier gone since (its profile lost a member)
    select previous_members.identifier_id
    from previous_members
    left join current_members
        on previous_members.identifier_id = current_members.identifier_id
    where current_members.identifier_id is null
),

seeds as (
    select identifier_id from affected
    union
    select identifier_id from force_merged
    union
    select identifier_id from changed
),

current_profiles as (
    select distinct current_members.profile_key
    from current_members
    inner join seeds
        on current_members.identifier_id = seeds.identifier_id
),

previous_profiles as (
    select distinct previous_members.profile_key
    from previous_members
    inner join seeds
        on previous_members.identifier_id = seeds.identifier_id
),

final as (
    select identifier_id from seeds
    union
    select current_members.identifier_id
    from current_members
    inner join current_profiles
        on current_members.profile_key = current_profiles.profile_key
    union
    select previous_members.identifier_id
    from previous_members
    inner join previous_profiles
        on previous_members.profile_key = previous_profiles.profile_key
)

-- a full build resolves everything and reads no scope
select * from final
{% if not is_delta %}where 1 = 0{% endif %}
