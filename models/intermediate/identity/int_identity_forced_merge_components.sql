{#- Forced merges of identity_overrides, applied after the rules and the statistical links: the profiles (or, for an
    identifier the rules left without a profile, the identifier itself) of the two ends are clustered, so chains of merges join
    transitively. component_id is the node that names the merged profile. -#}
{{ config(materialized='connected_components', node_a='node_a', node_b='node_b') }}

with

merge_pairs as (
    select
        identifier_id,
        other_identifier_id
    from {{ ref('int_identity_overrides') }}
    where override_type = 'merge' and not_applicable_reason is null
),

placed_nodes as (
    select
        identifier_id,
        coalesce(profile_key, identifier_id) as node_id
    from {{ ref('int_identity_statistical_merges') }}
),

final as (
    select
        end_one.node_id as node_a,
        end_other.node_id as node_b
    from merge_pairs
    inner join placed_nodes as end_one
        on merge_pairs.identifier_id = end_one.identifier_id
    inner join placed_nodes as end_other
        on merge_pairs.other_identifier_id = end_other.identifier_id
)

select * from final
