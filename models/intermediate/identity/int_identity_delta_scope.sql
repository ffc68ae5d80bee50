{#- The identifiers whose rows a delta build rewrites after the resolution (profile members, customers, assignments,
    the assignment log and merges): the re-resolved ones (int_identity_affected), every member of a profile joined
    by a forced merge (such a profile may reach outside the re-resolved components, and an override may apply for
    the first time because one of its identifiers arrived). The affected identifiers include every identifier the
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
    from {{ ref('int_identity_resolution') }}
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
)

-- a full build resolves everything and reads no scope
select * from final
{% if not is_delta %}where 1 = 0{% endif %}
