{#- Final membership: every identifier of int_identity_resolution with the profile it ends in after the statistical
    links (int_identity_statistical_merges) and the forced merges (profile_key null = in no profile), and its
    deterministic profile. -#}

with

resolution as (
    select
        resolved.identifier_id,
        statistical.profile_key,
        statistical.deterministic_profile_key,
        statistical.deterministic_customer_id,
        statistical.identity_confidence,
        resolved.resolution_status,
        resolved.cut_rule,
        resolved.cut_level,
        resolved.cut_detail
    from {{ ref('int_identity_resolution') }} as resolved
    inner join {{ ref('int_identity_statistical_merges') }} as statistical
        on resolved.identifier_id = statistical.identifier_id
),

merged as (
    select
        node_id,
        component_id
    from {{ ref('int_identity_forced_merge_components') }}
),

final as (
    select
        resolution.identifier_id,
        coalesce(merged.component_id, resolution.profile_key) as profile_key,
        resolution.deterministic_profile_key,
        resolution.deterministic_customer_id,
        resolution.identity_confidence,
        merged.component_id is not null as is_force_merged,
        resolution.resolution_status,
        resolution.cut_rule,
        resolution.cut_level,
        resolution.cut_detail
    from resolution
    left join merged
        on coalesce(resolution.profile_key, resolution.identifier_id) = merged.node_id
)

select * from final
