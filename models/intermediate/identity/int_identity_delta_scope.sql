{#- The identifiers whose rows a delta build rewrites after the resolution (profile members, customers, assignments,
    the assignment log and merges): the re-resolved ones (int_identity_affected), every member of a profile joined
    by a forced merge (such a profile may reach outside the re-resolved components, and an override may apply for
    the first time because one of its identifiers arrived), and every member of a deterministic profile that a
    statistical link touches (statistical links are scored on all the data every build, so a merge they make may
    reach outside the re-resolved components; and one that no longer holds must be undone). The affected identifiers
    include every identifier the
    pending loads carry, blocked and statistical ones too (their first and last seen and record counts change).
    Every profile that changes lies wholly inside this scope. Empty after a full build. -#}
-- depends_on: {{ ref('int_identity_batch') }}
{%- set is_delta = cdp_identity_build_mode() == 'delta' %}

with

affected as (
    select identifier_id from {{ ref('int_identity_affected') }}
),

resolution as (
    select
        identifier_id,
        profile_key
    from {{ ref('int_identity_statistical_merges') }}
),

deterministic as (
    select
        identifier_id,
        profile_key
    from {{ ref('int_identity_resolution') }}
),

statistical_ends as (
    select identifier_id_a as identifier_id from {{ ref('int_identity_statistical_links') }}
    union
    select identifier_id_b as identifier_id from {{ ref('int_identity_statistical_links') }}
),

statistically_touched as (
    select members.identifier_id
    from statistical_ends
    inner join deterministic as ends
        on statistical_ends.identifier_id = ends.identifier_id
    inner join deterministic as members
        on coalesce(ends.profile_key, ends.identifier_id) = coalesce(members.profile_key, members.identifier_id)
),

merged as (
    select node_id from {{ ref('int_identity_forced_merge_components') }}
),

force_merged as (
    select resolution.identifier_id
    from resolution
    inner join merged
        on coalesce(resolution.profile_key, resolution.identifier_id) = merged.node_id
),

final as (
    select identifier_id from affected
    union
    select identifier_id from force_merged
    union
    select identifier_id from statistically_touched
)

-- a full build resolves everything and reads no scope
select * from final
{% if not is_delta %}where 1 = 0{% endif %}
