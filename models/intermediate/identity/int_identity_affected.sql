{#- The identifiers a delta build re-resolves (int_identity_resolution): every identifier of a connected component
    of the hub-cut graph that holds an identifier of int_identity_touched, and the touched identifiers themselves (an
    identifier without links is a component of its own). Outside these components nothing the resolution reads has
    changed, so neither has its result. Empty after a full build. -#}
-- depends_on: {{ ref('int_identity_batch') }}
{%- set is_delta = cdp_identity_build_mode() == 'delta' %}

with

touched as (
    select identifier_id from {{ ref('int_identity_touched') }}
),

components as (
    select
        node_id,
        component_id
    from {{ ref('int_identity_graph_components') }}
),

touched_components as (
    select distinct components.component_id
    from components
    inner join touched
        on components.node_id = touched.identifier_id
),

final as (
    select components.node_id as identifier_id
    from components
    inner join touched_components
        on components.component_id = touched_components.component_id
    union
    select identifier_id from touched
)

-- a full build resolves the whole graph and reads no affected identifiers
select * from final
{% if not is_delta %}where 1 = 0{% endif %}
