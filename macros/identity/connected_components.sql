{#-
    Materialization `connected_components`: the model's SELECT returns the edges of an identity graph, the table
    built is (node_id, component_id) with component_id = the smallest node id of the node's connected component.

        {{ config(
            materialized='connected_components',
            node_a='node_a',          -- edge column names in the model's SELECT (defaults shown)
            node_b='node_b',
            max_rounds=50             -- optional; default var('identity_max_rounds', 50)
        ) }}
        select node_a, node_b from {{ ref('int_identity_edges') }}

    Algorithm (docs/identity-clustering.md): repeated min-neighbour hooking, pointer jumping to the roots and
    contraction of the graph onto the roots. Active nodes at least halve every two rounds, so rounds <=
    2*log2(largest component) + 1 whatever the shape (chains, stars, one giant component); in practice a 1,000-hop
    chain takes about 7. Each round is a handful of CREATE TABLE AS SELECT statements over shrinking work tables,
    which are dropped at the end. More than max_rounds rounds stops the build with an error naming the limit.
-#}

{% materialization connected_components, default %}
    {%- set relations = cdp.cdp_identity_materialization_begin() -%}

    {%- set max_rounds = config.get('max_rounds', none) -%}
    {%- if max_rounds is none -%}
        {%- set max_rounds = var('identity_max_rounds', 50) -%}
    {%- endif -%}

    {% do cdp.cdp_identity_connected_components(
        edges_sql=compiled_code,
        output_relation=relations.intermediate,
        base_relation=relations.target,
        node_a=config.get('node_a', 'node_a'),
        node_b=config.get('node_b', 'node_b'),
        max_rounds=max_rounds
    ) %}
    {% do cdp.cdp_identity_materialization_swap(relations) %}

    {{ return(cdp.cdp_identity_materialization_end(relations)) }}
{% endmaterialization %}
