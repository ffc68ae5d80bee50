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
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set intermediate_relation = make_intermediate_relation(target_relation) -%}
    {%- set preexisting_intermediate_relation = load_cached_relation(intermediate_relation) -%}
    {%- set backup_relation_type = 'table' if existing_relation is none else existing_relation.type -%}
    {%- set backup_relation = make_backup_relation(target_relation, backup_relation_type) -%}
    {%- set preexisting_backup_relation = load_cached_relation(backup_relation) -%}

    {{ drop_relation_if_exists(preexisting_intermediate_relation) }}
    {{ drop_relation_if_exists(preexisting_backup_relation) }}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- set max_rounds = config.get('max_rounds', none) -%}
    {%- if max_rounds is none -%}
        {%- set max_rounds = var('identity_max_rounds', 50) -%}
    {%- endif -%}

    {% do cdp.connected_components_build(
        edges_sql=compiled_code,
        output_relation=intermediate_relation,
        base_relation=target_relation,
        node_a=config.get('node_a', 'node_a'),
        node_b=config.get('node_b', 'node_b'),
        max_rounds=max_rounds
    ) %}

    {% if existing_relation is not none %}
        {{ adapter.rename_relation(existing_relation, backup_relation) }}
    {% endif %}
    {{ adapter.rename_relation(intermediate_relation, target_relation) }}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do persist_docs(target_relation, model) %}
    {% do cdp.cc_commit() %}

    {{ drop_relation_if_exists(backup_relation) }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#- Runs the rounds and creates output_relation (node_id, component_id), in statement 'main'.
    base_relation names the work tables (<identifier>__cc_<step>) and, on engines without temp tables, their
    schema. Usable on its own from another materialization. Returns {rounds, passes, seconds}.
    Statements are handed to cc_exec in batches: DuckDB runs a batch in one call, other engines one by one. -#}
{% macro connected_components_build(edges_sql, output_relation, base_relation, node_a='node_a', node_b='node_b',
                                    max_rounds=50) %}
    {%- set max_rounds = max_rounds | int -%}
    {%- if max_rounds < 1 -%}
        {{ exceptions.raise_compiler_error("connected_components: max_rounds (var identity_max_rounds) must be >= 1, got " ~ max_rounds) }}
    {%- endif -%}
    {%- set prefix = base_relation.identifier ~ '__cc_' -%}
    {%- set started = modules.datetime.datetime.now() -%}
    {%- set session_state = cdp.cc_session_begin() -%}
    {%- set live = [] -%}  {#- work tables that may exist now: dropped at the end, or before failing -#}

    {#- round 0 reads the model's SELECT; later rounds read the contracted edge table E_r (a < b) -#}
    {%- set hooks0 = cdp.cc_work_relation(base_relation, prefix ~ 'p0') -%}
    {%- set ns = namespace(edges_sql=edges_sql, col_a=node_a, col_b=node_b, edges=none, hooks=hooks0,
                           rounds=0, converged=false, jumps=none, passes=0, left=none, res=none, n_active=none,
                           first=cdp.cc_create_sql(hooks0, cdp.cc_sql_hook_input(edges_sql, node_a, node_b))) -%}
    {% do live.append(hooks0) %}
    {%- set jump_tables = [] -%}

    {% for r in range(max_rounds) %}
        {#- pointer jumping on the hook forest until every pointer is a root -#}
        {%- set ns.jumps = cdp.cc_work_relation(base_relation, prefix ~ 'j' ~ r ~ '_0') -%}
        {%- set active = cdp.cc_work_relation(base_relation, prefix ~ 'a' ~ r) -%}
        {% do live.append(ns.jumps) %}
        {% do live.append(active) %}
        {%- set ns.n_active = cdp.cc_exec(ns.first
                                       + cdp.cc_create_sql(ns.jumps, cdp.cc_sql_jump_first(ns.hooks))
                                       + cdp.cc_create_sql(active, cdp.cc_sql_active(ns.jumps))
                                       + [cdp.cc_sql_count(active)]) | int -%}
        {%- set ns.passes = ns.passes + 1 -%}
        {#- a pointer doubles its reach every pass: 64 passes cover any depth -#}
        {% for k in range(1, 65) %}
            {% if ns.n_active == 0 %}
                {% break %}
            {% endif %}
            {%- if k == 64 -%}
                {{ exceptions.raise_compiler_error("connected_components: pointer jumping did not finish in 64 passes") }}
            {%- endif -%}
            {%- set next_jumps = cdp.cc_work_relation(base_relation, prefix ~ 'j' ~ r ~ '_' ~ k) -%}
            {% do live.append(next_jumps) %}
            {%- set ns.n_active = cdp.cc_exec(cdp.cc_create_sql(next_jumps, cdp.cc_sql_jump_next(ns.jumps, active))
                                           + cdp.cc_drop_sql([ns.jumps])
                                           + cdp.cc_create_sql(active, cdp.cc_sql_active(next_jumps))
                                           + [cdp.cc_sql_count(active)]) | int -%}
            {% do live.remove(ns.jumps) %}
            {%- set ns.jumps = next_jumps -%}
            {%- set ns.passes = ns.passes + 1 -%}
        {% endfor %}
        {% do jump_tables.append(ns.jumps) %}

        {#- contraction onto the roots, and the hooks of the next round -#}
        {%- set next_edges = cdp.cc_work_relation(base_relation, prefix ~ 'e' ~ (r + 1)) -%}
        {%- set next_hooks = cdp.cc_work_relation(base_relation, prefix ~ 'p' ~ (r + 1)) -%}
        {%- set done_with = [active] + ([ns.hooks, ns.edges] if r > 0 else []) -%}
        {% do live.append(next_edges) %}
        {% do live.append(next_hooks) %}
        {%- set ns.left = cdp.cc_exec(
                cdp.cc_create_sql(next_edges, cdp.cc_sql_contract(ns.edges_sql, ns.col_a, ns.col_b, ns.jumps))
                + cdp.cc_drop_sql(done_with)
                + cdp.cc_create_sql(next_hooks, cdp.cc_sql_hook(next_edges))
                + [cdp.cc_sql_count(next_edges)]) | int -%}
        {% for relation in done_with %}
            {% do live.remove(relation) %}
        {% endfor %}
        {%- set ns.rounds = r + 1 -%}
        {%- set ns.first = [] -%}
        {{ log("connected_components: " ~ base_relation.identifier ~ " round " ~ ns.rounds ~ ": "
               ~ ns.left ~ " edges left between roots", info=false) }}
        {% if ns.left == 0 %}
            {%- set ns.converged = true -%}
            {% break %}
        {% endif %}
        {%- set ns.edges = next_edges -%}
        {%- set ns.hooks = next_hooks -%}
        {%- set ns.edges_sql = 'select e.a, e.b from ' ~ next_edges ~ ' as e' -%}
        {%- set ns.col_a = 'a' -%}
        {%- set ns.col_b = 'b' -%}
    {% endfor %}

    {% if not ns.converged %}
        {% do cdp.cc_exec(cdp.cc_drop_sql(live)) %}
        {% do cdp.cc_session_end(session_state) %}
        {{ exceptions.raise_compiler_error(
            "connected_components: " ~ base_relation.identifier ~ " did not converge within the round limit of "
            ~ max_rounds ~ " rounds (var identity_max_rounds / config max_rounds); " ~ ns.left
            ~ " edges were still left between distinct roots. Raise the limit, or look for a degenerate graph.") }}
    {% endif %}

    {#- labels of the nodes that left in rounds >= 1, resolved from the last round back to the second -#}
    {%- set resolve = [] -%}
    {% for i in range(jump_tables | length - 1, 0, -1) %}
        {%- set res = cdp.cc_work_relation(base_relation, prefix ~ 'r' ~ i) -%}
        {% do live.append(res) %}
        {% do resolve.extend(cdp.cc_create_sql(res, cdp.cc_sql_resolve(jump_tables[i], ns.res))) %}
        {%- set ns.res = res -%}
    {% endfor %}
    {% do cdp.cc_exec(resolve) %}

    {% do cdp.cc_build_output(output_relation,
                              cdp.cc_sql_nonroot(jump_tables[0], ns.res),
                              cdp.cc_sql_selfroots(hooks0, ns.res),
                              prefix, base_relation) %}

    {% do cdp.cc_exec(cdp.cc_drop_sql(live)) %}
    {% do cdp.cc_session_end(session_state) %}

    {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
    {{ log("connected_components: " ~ base_relation.identifier ~ " converged in " ~ ns.rounds ~ " rounds ("
           ~ ns.passes ~ " pointer-jumping passes) in " ~ '%.2f' | format(seconds) ~ " s", info=true) }}
    {{ return({'rounds': ns.rounds, 'passes': ns.passes, 'seconds': seconds}) }}
{% endmacro %}
