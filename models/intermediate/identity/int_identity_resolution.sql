{#- The profiles: every usable, linkable identifier placed in a profile (profile_key) or cut, by the levelled rules
    of docs/identity.md (materialization identity_resolution, macros/identity/). The SELECT below gives the
    nodes: each identifier with the limits of its rule type and the order in which it claims a place. -#}
{{ config(
    materialized='identity_resolution',
    edges='int_identity_graph_edges',
    splits='int_identity_forced_splits'
) }}
-- depends_on: {{ ref('int_identity_graph_edges') }}
-- depends_on: {{ ref('int_identity_forced_splits') }}

with

identifiers as (
    select
        identifier_id,
        identifier_value,
        rule_type,
        priority,
        first_loaded_at,
        anchor_seen_at
    from {{ ref('int_identity_identifiers') }}
    where not is_blocked and is_linkable
),

rules as (
    select
        identifier_type as rule_type,
        max_per_profile,
        max_profiles_joined
    from {{ ref('identifier_types') }}
),

hubs as (
    select distinct identifier_id
    from {{ ref('int_identity_hubs') }}
),

final as (
    select
        identifiers.identifier_id,
        identifiers.rule_type,
        identifiers.priority,
        rules.max_per_profile,
        rules.max_profiles_joined,
        identifiers.identifier_value,
        identifiers.first_loaded_at as rank_loaded_at,
        identifiers.anchor_seen_at as rank_seen_at,
        hubs.identifier_id is not null as is_hub
    from identifiers
    left join rules
        on identifiers.rule_type = rules.rule_type
    left join hubs
        on identifiers.identifier_id = hubs.identifier_id
)

select * from final
