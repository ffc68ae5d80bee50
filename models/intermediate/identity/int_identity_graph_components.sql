{#- The connected components of the hub-cut graph (int_identity_graph_edges), for a delta build to find the part of
    the graph it must re-resolve (int_identity_affected). Empty after a full build, which resolves the whole graph
    and needs no components. -#}
{{ config(materialized='connected_components', node_a='strong_identifier_id', node_b='weak_identifier_id') }}
-- depends_on: {{ ref('int_identity_batch') }}
{%- set is_delta = cdp_identity_build_mode() == 'delta' %}

with

edges as (
    select
        strong_identifier_id,
        weak_identifier_id
    from {{ ref('int_identity_graph_edges') }}
),

final as (
    select * from edges
    {% if not is_delta %}where 1 = 0{% endif %}
)

select * from final
