{#- Runs the rounds and creates output_relation (node_id, component_id), in statement 'main'.
    base_relation names the work tables (<identifier>__cc_<step>) and, on engines without temp tables, their
    schema. Usable on its own from another materialization. Returns {rounds, passes, seconds}.
    Statements are handed to cdp_identity_run_statements in batches: DuckDB runs a batch in one call, other engines
    one by one. -#}
{% macro cdp_identity_connected_components(edges_sql, output_relation, base_relation, node_a='node_a',
                                           node_b='node_b', max_rounds=50) %}
    {%- set max_rounds = max_rounds | int -%}
    {%- if max_rounds < 1 -%}
        {{ exceptions.raise_compiler_error(
            "connected_components: max_rounds (var identity_max_rounds) must be >= 1, got " ~ max_rounds) }}
    {%- endif -%}
    {%- set prefix = base_relation.identifier ~ '__cc_' -%}
    {%- set started = modules.datetime.datetime.now() -%}
    {%- set session_state = cdp.cdp_identity_components_session_begin() -%}
    {%- set live = [] -%}  {#- work tables that may exist now: dropped at the end, or before failing -#}

    {#- round 0 reads the model's SELECT; later rounds read the contracted edge table E_r (a < b) -#}
    {%- set hooks0 = cdp.cdp_identity_work_relation(base_relation, prefix ~ 'hooks0') -%}
    {%- set ns = namespace(edges_sql=edges_sql, col_a=node_a, col_b=node_b, edges=none, hooks=hooks0,
                           hooks_read=hooks0, rounds=0, converged=false, jumps=none, passes=0, left=none,
                           labels=none, n_active=none,
                           first=cdp.cdp_identity_work_table_sql(
                               hooks0, cdp.cdp_identity_components_sql_hook_input(edges_sql, node_a, node_b))) -%}
    {% do live.append(hooks0) %}
    {%- set jump_tables = [] -%}

    {% for r in range(max_rounds) %}
        {#- pointer jumping on the hook forest until every pointer is a root. The active rows (pointer maybe not a
            root yet) are a filter of the jump table, read in place: as a table of its own each pass cost one more
            statement, a job of its own on Spark. -#}
        {%- set ns.jumps = cdp.cdp_identity_work_relation(base_relation, prefix ~ 'jumps' ~ r ~ '_0') -%}
        {% do live.append(ns.jumps) %}
        {%- set ns.n_active = cdp.cdp_identity_run_statements(
                ns.first
                + cdp.cdp_identity_work_table_sql(ns.jumps, cdp.cdp_identity_components_sql_jump_first(ns.hooks_read))
                + [cdp.cdp_identity_components_sql_count_active(ns.jumps)]) | int -%}
        {%- set ns.passes = ns.passes + 1 -%}
        {#- a pointer doubles its reach every pass: 64 passes cover any depth -#}
        {% for k in range(1, 65) %}
            {% if ns.n_active == 0 %}
                {% break %}
            {% endif %}
            {%- if k == 64 -%}
                {{ exceptions.raise_compiler_error(
                    "connected_components: pointer jumping did not finish in 64 passes") }}
            {%- endif -%}
            {#- every step writes a table of its own name: Spark's Parquet tables cannot be replaced in place -#}
            {%- set next_jumps = cdp.cdp_identity_work_relation(base_relation, prefix ~ 'jumps' ~ r ~ '_' ~ k) -%}
            {% do live.append(next_jumps) %}
            {%- set ns.n_active = cdp.cdp_identity_run_statements(
                    cdp.cdp_identity_work_table_sql(next_jumps, cdp.cdp_identity_components_sql_jump_next(ns.jumps))
                    + cdp.cdp_identity_drop_work_tables_sql([ns.jumps])
                    + [cdp.cdp_identity_components_sql_count_active(next_jumps)]) | int -%}
            {% do live.remove(ns.jumps) %}
            {%- set ns.jumps = next_jumps -%}
            {%- set ns.passes = ns.passes + 1 -%}
        {% endfor %}
        {% do jump_tables.append(ns.jumps) %}

        {#- contraction onto the roots, and the hooks of the next round -#}
        {%- set next_edges = cdp.cdp_identity_work_relation(base_relation, prefix ~ 'edges' ~ (r + 1)) -%}
        {%- set next_hooks = cdp.cdp_identity_work_relation(base_relation, prefix ~ 'hooks' ~ (r + 1)) -%}
        {%- set done_with = [ns.hooks, ns.edges] if r > 0 else [] -%}
        {% do live.append(next_edges) %}
        {% do live.append(next_hooks) %}
        {#- the next round's hooks are read only by its first jump (cdp_identity_cheap_step) -#}
        {%- set hooks_step = cdp.cdp_identity_cheap_step_sql(next_hooks,
                                                             cdp.cdp_identity_components_sql_hook(next_edges)) -%}
        {%- set ns.left = cdp.cdp_identity_run_statements(
                cdp.cdp_identity_work_table_sql(next_edges, cdp.cdp_identity_components_sql_contract(
                    ns.edges_sql, ns.col_a, ns.col_b, ns.jumps))
                + cdp.cdp_identity_drop_work_tables_sql(done_with)
                + hooks_step[0]
                + [cdp.cdp_identity_count_sql(next_edges)]) | int -%}
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
        {%- set ns.hooks_read = hooks_step[1] -%}
        {%- set ns.edges_sql = 'select e.a, e.b from ' ~ next_edges ~ ' as e' -%}
        {%- set ns.col_a = 'a' -%}
        {%- set ns.col_b = 'b' -%}
    {% endfor %}

    {% if not ns.converged %}
        {% do cdp.cdp_identity_drop_work_tables(live) %}
        {% do cdp.cdp_identity_components_session_end(session_state) %}
        {{ exceptions.raise_compiler_error(
            "connected_components: " ~ base_relation.identifier ~ " did not converge within the round limit of "
            ~ max_rounds ~ " rounds (var identity_max_rounds / config max_rounds); " ~ ns.left
            ~ " edges were still left between distinct roots. Raise the limit, or look for a degenerate graph.") }}
    {% endif %}

    {#- labels of the nodes that left in rounds >= 1, resolved from the last round back to the second -#}
    {%- set resolve = [] -%}
    {% for i in range(jump_tables | length - 1, 0, -1) %}
        {%- set labels = cdp.cdp_identity_work_relation(base_relation, prefix ~ 'labels' ~ i) -%}
        {% do live.append(labels) %}
        {% do resolve.extend(cdp.cdp_identity_work_table_sql(
            labels, cdp.cdp_identity_components_sql_resolve(jump_tables[i], ns.labels))) %}
        {%- set ns.labels = labels -%}
    {% endfor %}
    {% do cdp.cdp_identity_run_statements(resolve) %}

    {% do cdp.cdp_identity_components_output(output_relation,
                                             cdp.cdp_identity_components_sql_nonroot(jump_tables[0], ns.labels),
                                             cdp.cdp_identity_components_sql_selfroots(hooks0, ns.labels),
                                             prefix, base_relation) %}

    {% do cdp.cdp_identity_drop_work_tables(live) %}
    {% do cdp.cdp_identity_components_session_end(session_state) %}

    {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
    {{ log("connected_components: " ~ base_relation.identifier ~ " converged in " ~ ns.rounds ~ " rounds ("
           ~ ns.passes ~ " pointer-jumping passes) in " ~ '%.2f' | format(seconds) ~ " s", info=true) }}
    {{ return({'rounds': ns.rounds, 'passes': ns.passes, 'seconds': seconds}) }}
{% endmacro %}
