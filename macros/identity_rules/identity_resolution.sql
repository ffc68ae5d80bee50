{#-
    Materialization `identity_resolution`: turns identifiers and their links into profiles, one priority level at
    a time, strongest first, under the guard rules of docs/identity.md ("The rules, in order").

        {{ config(
            materialized='identity_resolution',
            edges='int_identity_graph_edges',    -- model: (strong_identifier_id, weak_identifier_id, link_priority)
            splits='int_identity_forced_splits', -- model: (identifier_id, other_identifier_id), both orientations
            affected='int_identity_affected'     -- optional model: (identifier_id), what a delta build re-resolves
        ) }}
        -- depends_on: {{ ref('int_identity_graph_edges') }}
        -- depends_on: {{ ref('int_identity_forced_splits') }}
        select identifier_id, rule_type, priority, max_per_profile, max_profiles_joined, identifier_value,
               rank_loaded_at, rank_seen_at, is_hub
        from ...

    The model's SELECT returns the nodes (every usable, linkable identifier, with the limits of its rule type).
    Output: one row per node: (identifier_id, rule_type, resolution_level, profile_key, resolution_status,
    cut_rule, cut_level, cut_detail). profile_key is an internal bigint (the id of one member), null for identifiers that were
    cut; customer ids are minted from the profiles downstream.

    Each level clusters the contracted graph (the existing profiles as super-nodes, the level's identifiers as
    nodes) with cdp.connected_components_build, so it terminates after as many levels as there are priorities, each
    within the clustering's own round limit. After the last level the state is checked (every identifier in at most
    one profile, no profile over a limit, no forced split inside a profile, every identifier placed or cut exactly
    once); any failure stops the build with an error and leaves the previous table in place. (Checked after every
    level until the 1,000,000-customer figures showed the ten checks costing about a third of the stage's levels;
    an identifier placed at the wrong level shows at the end as placed twice, or placed and cut.)
-#}

{% materialization identity_resolution, default %}
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

    {%- set edges_model = config.require('edges') -%}
    {%- set splits_model = config.require('splits') -%}
    {%- set affected_model = config.get('affected') -%}
    {%- set is_delta = affected_model is not none and existing_relation is not none and cdp.cdp_identity_is_delta() -%}

    {% if is_delta %}
        {#- a delta build re-resolves only the affected identifiers (whole connected components of the edges) and
            replaces their rows: the levelled rules never reach across components, so the others keep their result -#}
        {%- set affected = ref(affected_model) -%}
        {%- set delta_output = target_relation.incorporate(path={'identifier': target_relation.identifier ~ '__ir_delta'}) -%}
        {% do drop_relation_if_exists(delta_output) %}
        {% do cdp.identity_resolution_build(
            nodes_sql='select nodes.* from (' ~ compiled_code ~ ') as nodes inner join ' ~ affected
                ~ ' as affected on nodes.identifier_id = affected.identifier_id',
            edges_relation=ref(edges_model),
            splits_relation=ref(splits_model),
            output_relation=delta_output,
            base_relation=target_relation
        ) %}
        {% call statement('identity_resolution_delta_delete') -%}
            delete from {{ target_relation }}
            where identifier_id in (select affected.identifier_id from {{ affected }} as affected)
        {%- endcall %}
        {% call statement('identity_resolution_delta_insert') -%}
            insert into {{ target_relation }} select * from {{ delta_output }}
        {%- endcall %}
        {% do drop_relation_if_exists(delta_output) %}
    {% else %}
        {% do cdp.identity_resolution_build(
            nodes_sql=compiled_code,
            edges_relation=ref(edges_model),
            splits_relation=ref(splits_model),
            output_relation=intermediate_relation,
            base_relation=target_relation
        ) %}

        {% if existing_relation is not none %}
            {{ adapter.rename_relation(existing_relation, backup_relation) }}
        {% endif %}
        {{ adapter.rename_relation(intermediate_relation, target_relation) }}
    {% endif %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% do persist_docs(target_relation, model) %}
    {% do cdp.ir_commit() %}

    {{ drop_relation_if_exists(backup_relation) }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}


{#- Runs the levels and creates output_relation in statement 'main'. Work tables are named
    <model>__ir_<step> (DuckDB: TEMP tables; elsewhere tables in the model's schema, see ir_work_relation). -#}
{% macro identity_resolution_build(nodes_sql, edges_relation, splits_relation, output_relation, base_relation) %}
    {%- set started = modules.datetime.datetime.now() -%}
    {%- set prefix = base_relation.identifier ~ '__ir_' -%}
    {%- set live = [] -%}
    {%- set w = namespace(assigned=none, cuts=[]) -%}

    {%- set nodes = cdp.ir_work_relation(base_relation, prefix ~ 'nodes') -%}
    {%- set edges = cdp.ir_work_relation(base_relation, prefix ~ 'edges') -%}
    {%- set splits = cdp.ir_work_relation(base_relation, prefix ~ 'splits') -%}
    {%- set assigned0 = cdp.ir_work_relation(base_relation, prefix ~ 'a0') -%}
    {% do live.extend([nodes, edges, splits, assigned0]) %}

    {% do cdp.ir_create_work_table(nodes, nodes_sql) %}
    {#- the links between two nodes, oriented strong -> weak; the level of a link is its weak end's priority -#}
    {% set edges_sql %}
        select
            e.strong_identifier_id,
            e.weak_identifier_id,
            e.link_priority,
            s.priority as strong_priority,
            w.priority as weak_priority
        from {{ edges_relation }} as e
        inner join {{ nodes }} as s
            on e.strong_identifier_id = s.identifier_id
        inner join {{ nodes }} as w
            on e.weak_identifier_id = w.identifier_id
    {% endset %}
    {% do cdp.ir_create_work_table(edges, edges_sql) %}
    {% set splits_sql %}
        select distinct
            s.identifier_id,
            s.other_identifier_id
        from {{ splits_relation }} as s
        where s.identifier_id <> s.other_identifier_id
    {% endset %}
    {% do cdp.ir_create_work_table(splits, splits_sql) %}
    {% do cdp.ir_create_work_table(assigned0,
        'select n.identifier_id, n.identifier_id as profile_key from ' ~ nodes ~ ' as n where 1 = 0') %}
    {%- set w.assigned = assigned0 -%}

    {#- the input must be consistent before anything runs -#}
    {% set input_checks %}
        select
            (
                select count(*)
                from (
                    select n.priority
                    from {{ nodes }} as n
                    group by n.priority
                    having count(distinct n.rule_type) > 1
                ) as p
            ) as levels_with_two_types,
            (select count(*) - count(distinct n.identifier_id) from {{ nodes }} as n) as duplicate_nodes,
            (select count(*) from {{ nodes }} as n where n.priority is null) as nodes_without_priority,
            (
                select count(*)
                from {{ edges }} as e
                where e.strong_priority >= e.weak_priority or e.link_priority <> e.weak_priority
            ) as edges_not_oriented
    {% endset %}
    {% do cdp.ir_fail_on_problems(input_checks, live,
        "identity_resolution: " ~ base_relation.identifier ~ ": inconsistent input",
        "Priorities of identifier_types must be unique and every rule type must have one.") %}

    {%- set levels_result = run_query(
        'select n.priority, min(n.rule_type) as rule_type, count(*) as n from ' ~ nodes
        ~ ' as n group by n.priority order by n.priority') -%}
    {%- set stats = [] -%}

    {% for level_row in levels_result.rows %}
        {%- set priority = level_row[0] | int -%}
        {%- set rule_type = level_row[1] -%}
        {%- set p = prefix ~ 'l' ~ priority ~ '_' -%}
        {%- set level = cdp.ir_work_relation(base_relation, p ~ 'x') -%}
        {%- set links = cdp.ir_work_relation(base_relation, p ~ 'links') -%}
        {%- set too_many = cdp.ir_work_relation(base_relation, p ~ 'too_many') -%}
        {%- set kept = cdp.ir_work_relation(base_relation, p ~ 'kept') -%}
        {%- set components = base_relation.incorporate(path={'identifier': p ~ 'components'}) -%}
        {%- set pc = cdp.ir_work_relation(base_relation, p ~ 'pc') -%}
        {%- set xc = cdp.ir_work_relation(base_relation, p ~ 'xc') -%}
        {%- set bad = cdp.ir_work_relation(base_relation, p ~ 'bad') -%}
        {%- set new_keys = cdp.ir_work_relation(base_relation, p ~ 'new_keys') -%}
        {%- set connectors = cdp.ir_work_relation(base_relation, p ~ 'connectors') -%}
        {%- set pre = cdp.ir_work_relation(base_relation, p ~ 'pre') -%}
        {%- set split_cuts = cdp.ir_work_relation(base_relation, p ~ 'split_cuts') -%}
        {%- set count_cuts = cdp.ir_work_relation(base_relation, p ~ 'count_cuts') -%}
        {%- set assigned_next = cdp.ir_work_relation(base_relation, p ~ 'assigned') -%}
        {%- set level_cuts = cdp.ir_work_relation(base_relation, p ~ 'cuts') -%}
        {%- set scratch = [level, links, too_many, kept, pc, xc, bad, new_keys, connectors, pre, split_cuts,
                           count_cuts] -%}
        {% do live.extend(scratch) %}
        {% do live.extend([assigned_next, level_cuts]) %}

        {% do cdp.ir_create_work_table(level, cdp.ir_sql_level_nodes(nodes, priority)) %}
        {% do cdp.ir_create_work_table(links, cdp.ir_sql_level_links(edges, w.assigned, priority)) %}
        {% do cdp.ir_create_work_table(too_many, cdp.ir_sql_too_many_profiles(links, level)) %}
        {%- set n_kept = cdp.ir_create_work_table(kept, cdp.ir_sql_kept_links(links, too_many)) -%}

        {#- cluster the contracted graph: level identifiers and existing profiles (super-nodes) -#}
        {% do drop_relation_if_exists(components) %}
        {% if n_kept > 0 %}
            {% do cdp.connected_components_build(
                edges_sql='select k.x_id as node_a, k.profile_key as node_b from ' ~ kept ~ ' as k',
                output_relation=components,
                base_relation=base_relation.incorporate(path={'identifier': p ~ 'cc'}),
                node_a='node_a',
                node_b='node_b',
                max_rounds=var('identity_max_rounds', 50)
            ) %}
        {% else %}
            {% call statement('identity_resolution_empty_components') -%}
                {{ get_create_table_as_sql(False, components,
                    'select k.x_id as node_id, k.profile_key as component_id from ' ~ kept ~ ' as k where 1 = 0') }}
            {%- endcall %}
        {% endif %}

        {% do cdp.ir_create_work_table(pc, cdp.ir_sql_profile_components(components, kept)) %}
        {% do cdp.ir_create_work_table(xc, cdp.ir_sql_level_components(components, kept)) %}
        {% do drop_relation_if_exists(components) %}
        {% do cdp.ir_create_work_table(bad, cdp.ir_sql_bad_components(nodes, w.assigned, splits, pc, xc, rule_type)) %}
        {% do cdp.ir_create_work_table(new_keys, cdp.ir_sql_new_keys(pc, bad)) %}
        {% do cdp.ir_create_work_table(connectors, cdp.ir_sql_cut_connectors(xc, bad)) %}
        {% do cdp.ir_create_work_table(pre, cdp.ir_sql_assign(w.assigned, level, kept, pc, xc, bad, new_keys,
                                                               too_many, connectors)) %}
        {% do cdp.ir_create_work_table(split_cuts, cdp.ir_sql_split_cuts(pre, splits, level)) %}
        {% do cdp.ir_create_work_table(count_cuts, cdp.ir_sql_count_cuts(pre, split_cuts, level)) %}
        {% do cdp.ir_create_work_table(assigned_next, cdp.ir_sql_assigned_next(pre, split_cuts, count_cuts)) %}
        {% do cdp.ir_create_work_table(level_cuts, cdp.ir_sql_level_cuts(priority, level, kept, too_many, connectors,
                                                                          split_cuts, count_cuts, rule_type)) %}

        {#- the level's figures for the log, from its own small tables; the state is checked after the last level -#}
        {% set counted = run_query(
            'select (select count(*) from ' ~ level ~ ') as identifiers, (select count(*) from ' ~ level_cuts
            ~ ') as cut') %}
        {% do stats.append(rule_type ~ ': ' ~ counted.columns[0].values()[0] ~ ' identifiers, '
                           ~ counted.columns[1].values()[0] ~ ' cut') %}
        {{ log("identity_resolution: " ~ base_relation.identifier ~ " level " ~ priority ~ " " ~ stats[-1],
               info=false) }}

        {#- the previous assignment and the level's scratch tables are no longer needed -#}
        {%- set done_with = scratch + [w.assigned] -%}
        {% do cdp.ir_drop_work_tables(done_with) %}
        {% for relation in done_with %}
            {% do live.remove(relation) %}
        {% endfor %}
        {%- set w.assigned = assigned_next -%}
        {% do w.cuts.append(level_cuts) %}
    {% endfor %}

    {%- set all_cuts = cdp.ir_work_relation(base_relation, prefix ~ 'cuts') -%}
    {% do live.append(all_cuts) %}
    {% set cuts_sql %}
        {%- if w.cuts | length == 0 -%}
        select
            n.identifier_id,
            n.priority as cut_level,
            'none' as cut_rule,
            'none' as cut_detail
        from {{ nodes }} as n
        where 1 = 0
        {%- else -%}
        {%- for relation in w.cuts %}
        select
            c.identifier_id,
            c.cut_level,
            c.cut_rule,
            c.cut_detail
        from {{ relation }} as c
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
        {%- endif %}
    {% endset %}
    {% do cdp.ir_create_work_table(all_cuts, cuts_sql) %}

    {#- fail loudly if the final state is inconsistent -#}
    {% do cdp.ir_fail_on_problems(cdp.ir_sql_checks(nodes, w.assigned, splits, all_cuts), live,
        "identity_resolution: " ~ base_relation.identifier ~ ": inconsistent state after the last level",
        "This is a bug in macros/identity_rules; nothing was written.") %}

    {% call statement('main') -%}
        {{ get_create_table_as_sql(False, output_relation, cdp.ir_sql_output(nodes, w.assigned, all_cuts)) }}
    {%- endcall %}

    {% do cdp.ir_drop_work_tables(live) %}

    {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
    {{ log("identity_resolution: " ~ base_relation.identifier ~ " resolved " ~ (levels_result.rows | length)
           ~ " levels in " ~ '%.2f' | format(seconds) ~ " s (" ~ (stats | join('; ')) ~ ")", info=true) }}
{% endmacro %}
