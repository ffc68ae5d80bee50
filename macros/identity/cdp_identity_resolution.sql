{#- Runs the levels and creates output_relation in statement 'main'. Work tables are named <model>__ir_<what it
    holds>, those of a level <model>__ir_level<priority>_<what it holds> (DuckDB: TEMP tables; elsewhere tables in
    the model's schema, see cdp_identity_work_relation). -#}
{% macro cdp_identity_resolution(nodes_sql, edges_relation, splits_relation, output_relation, base_relation) %}
    {%- set started = modules.datetime.datetime.now() -%}
    {%- set prefix = base_relation.identifier ~ '__ir_' -%}
    {%- set live = [] -%}
    {%- set w = namespace(assigned=none, cuts=[]) -%}

    {%- set nodes = cdp.cdp_identity_work_relation(base_relation, prefix ~ 'nodes') -%}
    {%- set edges = cdp.cdp_identity_work_relation(base_relation, prefix ~ 'edges') -%}
    {%- set splits = cdp.cdp_identity_work_relation(base_relation, prefix ~ 'splits') -%}
    {%- set assigned_initial = cdp.cdp_identity_work_relation(base_relation, prefix ~ 'assigned_initial') -%}
    {% do live.extend([nodes, edges, splits, assigned_initial]) %}

    {% do cdp.cdp_identity_create_work_table(nodes, nodes_sql) %}
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
    {% do cdp.cdp_identity_create_work_table(edges, edges_sql) %}
    {% set splits_sql %}
        select distinct
            s.identifier_id,
            s.other_identifier_id
        from {{ splits_relation }} as s
        where s.identifier_id <> s.other_identifier_id
    {% endset %}
    {% do cdp.cdp_identity_create_work_table(splits, splits_sql) %}
    {% do cdp.cdp_identity_create_work_table(assigned_initial,
        'select n.identifier_id, n.identifier_id as profile_key from ' ~ nodes ~ ' as n where 1 = 0') %}
    {%- set w.assigned = assigned_initial -%}

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
    {% do cdp.cdp_identity_fail_on_problems(input_checks, live,
        "identity_resolution: " ~ base_relation.identifier ~ ": inconsistent input",
        "Priorities of identifier_types must be unique and every rule type must have one.") %}

    {%- set levels_result = run_query(
        'select n.priority, min(n.rule_type) as rule_type, count(*) as n from ' ~ nodes
        ~ ' as n group by n.priority order by n.priority') -%}
    {%- set stats = [] -%}

    {% for level_row in levels_result.rows %}
        {%- set priority = level_row[0] | int -%}
        {%- set rule_type = level_row[1] -%}
        {%- set p = prefix ~ 'level' ~ priority ~ '_' -%}
        {%- set level_identifiers = cdp.cdp_identity_work_relation(base_relation, p ~ 'identifiers') -%}
        {%- set links = cdp.cdp_identity_work_relation(base_relation, p ~ 'links') -%}
        {%- set too_many = cdp.cdp_identity_work_relation(base_relation, p ~ 'too_many_profiles') -%}
        {%- set kept = cdp.cdp_identity_work_relation(base_relation, p ~ 'kept_links') -%}
        {%- set components = base_relation.incorporate(path={'identifier': p ~ 'components'}) -%}
        {%- set profile_components = cdp.cdp_identity_work_relation(base_relation, p ~ 'profile_components') -%}
        {%- set identifier_components = cdp.cdp_identity_work_relation(base_relation, p ~ 'identifier_components') -%}
        {%- set unmergeable = cdp.cdp_identity_work_relation(base_relation, p ~ 'unmergeable_components') -%}
        {%- set new_keys = cdp.cdp_identity_work_relation(base_relation, p ~ 'new_keys') -%}
        {%- set connectors = cdp.cdp_identity_work_relation(base_relation, p ~ 'cut_connectors') -%}
        {%- set assigned_before_limits = cdp.cdp_identity_work_relation(base_relation, p ~ 'assigned_before_limits') -%}
        {%- set split_cuts = cdp.cdp_identity_work_relation(base_relation, p ~ 'split_cuts') -%}
        {%- set count_cuts = cdp.cdp_identity_work_relation(base_relation, p ~ 'count_cuts') -%}
        {%- set assigned_next = cdp.cdp_identity_work_relation(base_relation, p ~ 'assigned') -%}
        {%- set level_cuts = cdp.cdp_identity_work_relation(base_relation, p ~ 'cuts') -%}
        {%- set scratch = [level_identifiers, links, too_many, kept, profile_components, identifier_components,
                           unmergeable, new_keys, connectors, assigned_before_limits, split_cuts, count_cuts] -%}
        {% do live.extend(scratch) %}
        {% do live.extend([assigned_next, level_cuts]) %}

        {% do cdp.cdp_identity_create_work_table(level_identifiers,
            cdp.cdp_identity_resolution_sql_level_identifiers(nodes, priority)) %}
        {#- the level's links, new keys and connectors are each read at most twice (cdp_identity_cheap_step) -#}
        {%- set links = cdp.cdp_identity_cheap_step(links,
            cdp.cdp_identity_resolution_sql_level_links(edges, w.assigned, priority)) -%}
        {% do cdp.cdp_identity_create_work_table(too_many,
            cdp.cdp_identity_resolution_sql_too_many_profiles(links, level_identifiers)) %}
        {%- set n_kept = cdp.cdp_identity_create_work_table(kept,
            cdp.cdp_identity_resolution_sql_kept_links(links, too_many), counted=true) -%}

        {#- cluster the contracted graph: level identifiers and existing profiles (super-nodes) -#}
        {% do drop_relation_if_exists(components) %}
        {% if n_kept > 0 %}
            {% do cdp.cdp_identity_connected_components(
                edges_sql='select k.x_id as node_a, k.profile_key as node_b from ' ~ kept ~ ' as k',
                output_relation=components,
                base_relation=components,
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

        {% do cdp.cdp_identity_create_work_table(profile_components,
            cdp.cdp_identity_resolution_sql_profile_components(components, kept)) %}
        {% do cdp.cdp_identity_create_work_table(identifier_components,
            cdp.cdp_identity_resolution_sql_identifier_components(components, kept)) %}
        {% do drop_relation_if_exists(components) %}
        {% do cdp.cdp_identity_create_work_table(unmergeable,
            cdp.cdp_identity_resolution_sql_unmergeable_components(nodes, w.assigned, splits, profile_components,
                                                                   identifier_components, rule_type)) %}
        {%- set new_keys = cdp.cdp_identity_cheap_step(new_keys,
            cdp.cdp_identity_resolution_sql_new_keys(profile_components, unmergeable)) -%}
        {%- set connectors = cdp.cdp_identity_cheap_step(connectors,
            cdp.cdp_identity_resolution_sql_cut_connectors(identifier_components, unmergeable)) -%}
        {% do cdp.cdp_identity_create_work_table(assigned_before_limits,
            cdp.cdp_identity_resolution_sql_assigned_before_limits(w.assigned, level_identifiers, kept,
                                                                   profile_components, identifier_components,
                                                                   unmergeable, new_keys, too_many, connectors)) %}
        {% do cdp.cdp_identity_create_work_table(split_cuts,
            cdp.cdp_identity_resolution_sql_split_cuts(assigned_before_limits, splits, level_identifiers)) %}
        {% do cdp.cdp_identity_create_work_table(count_cuts,
            cdp.cdp_identity_resolution_sql_count_cuts(assigned_before_limits, split_cuts, level_identifiers)) %}
        {% do cdp.cdp_identity_create_work_table(assigned_next,
            cdp.cdp_identity_resolution_sql_assigned_after_limits(assigned_before_limits, split_cuts, count_cuts)) %}
        {% do cdp.cdp_identity_create_work_table(level_cuts,
            cdp.cdp_identity_resolution_sql_level_cuts(priority, level_identifiers, kept, too_many, connectors,
                                                       split_cuts, count_cuts, rule_type)) %}

        {#- the level's figures for the log, from its own small tables; the state is checked after the last level -#}
        {% set counted = run_query(
            'select (select count(*) from ' ~ level_identifiers ~ ') as identifiers, (select count(*) from '
            ~ level_cuts ~ ') as cut') %}
        {% do stats.append(rule_type ~ ': ' ~ counted.columns[0].values()[0] ~ ' identifiers, '
                           ~ counted.columns[1].values()[0] ~ ' cut') %}
        {{ log("identity_resolution: " ~ base_relation.identifier ~ " level " ~ priority ~ " " ~ stats[-1],
               info=false) }}

        {#- the previous assignment and the level's scratch tables are no longer needed -#}
        {%- set done_with = scratch + [w.assigned] -%}
        {% do cdp.cdp_identity_drop_work_tables(done_with) %}
        {% for relation in done_with %}
            {% do live.remove(relation) %}
        {% endfor %}
        {%- set w.assigned = assigned_next -%}
        {% do w.cuts.append(level_cuts) %}
    {% endfor %}

    {%- set all_cuts = cdp.cdp_identity_work_relation(base_relation, prefix ~ 'cuts') -%}
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
    {% do cdp.cdp_identity_create_work_table(all_cuts, cuts_sql) %}

    {#- fail loudly if the final state is inconsistent -#}
    {% do cdp.cdp_identity_fail_on_problems(
        cdp.cdp_identity_resolution_sql_checks(nodes, w.assigned, splits, all_cuts), live,
        "identity_resolution: " ~ base_relation.identifier ~ ": inconsistent state after the last level",
        "This is a bug in macros/identity; nothing was written.") %}

    {% call statement('main') -%}
        {{ get_create_table_as_sql(False, output_relation,
                                   cdp.cdp_identity_resolution_sql_output(nodes, w.assigned, all_cuts)) }}
    {%- endcall %}

    {% do cdp.cdp_identity_drop_work_tables(live) %}

    {%- set seconds = (modules.datetime.datetime.now() - started).total_seconds() -%}
    {{ log("identity_resolution: " ~ base_relation.identifier ~ " resolved " ~ (levels_result.rows | length)
           ~ " levels in " ~ '%.2f' | format(seconds) ~ " s (" ~ (stats | join('; ')) ~ ")", info=true) }}
{% endmacro %}
