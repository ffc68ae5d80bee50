{#-
    Engine-specific parts of the connected-components materialization (see connected_components.sql and
    docs/identity-clustering.md). Everything else is plain set-based SQL that DuckDB, Spark and Postgres share.

    Work tables:
      duckdb  - TEMP tables: in memory, private to dbt's connection, gone when it closes.
      spark   - parquet tables in the model's schema (session mode has no transactions and a temp view is only a
                lazily re-evaluated query, so every round is materialised with CREATE TABLE ... USING parquet AS
                SELECT on a fresh name; nothing is ever updated, merged or deleted).
      default - ordinary tables in the model's schema.
-#}

{#- The relation a work table lives at. `name` is already unique per model and step. -#}
{% macro cc_work_relation(base_relation, name) -%}
    {{ return(adapter.dispatch('cc_work_relation', 'cdp')(base_relation, name)) }}
{%- endmacro %}

{% macro default__cc_work_relation(base_relation, name) -%}
    {{ return(base_relation.incorporate(path={'identifier': name}, type='table')) }}
{%- endmacro %}

{% macro spark__cc_work_relation(base_relation, name) -%}
    {#- A real table next to the model: a temp view would be re-evaluated, with its whole lineage, at every use. -#}
    {{ return(default__cc_work_relation(base_relation, name)) }}
{%- endmacro %}

{% macro duckdb__cc_work_relation(base_relation, name) -%}
    {#- TEMP tables live in the temp catalog and are found by their bare name. -#}
    {{ return(api.Relation.create(identifier=name, type='table').include(database=false, schema=false)) }}
{%- endmacro %}


{#- Statements that CREATE a work table from a SELECT, replacing any leftover of an earlier, interrupted run. -#}
{% macro cc_create_sql(relation, sql) -%}
    {{ return(adapter.dispatch('cc_create_sql', 'cdp')(relation, sql)) }}
{%- endmacro %}

{% macro default__cc_create_sql(relation, sql) -%}
    {{ return(['drop table if exists ' ~ relation, 'create table ' ~ relation ~ ' as\n' ~ sql]) }}
{%- endmacro %}

{% macro duckdb__cc_create_sql(relation, sql) -%}
    {{ return(['create or replace temp table ' ~ relation ~ ' as\n' ~ sql]) }}
{%- endmacro %}

{% macro spark__cc_create_sql(relation, sql) -%}
    {{ return(['drop table if exists ' ~ relation, 'create table ' ~ relation ~ ' using parquet as\n' ~ sql]) }}
{%- endmacro %}

{% macro cc_drop_sql(relations) -%}
    {%- set statements = [] -%}
    {%- for relation in relations -%}
        {%- do statements.append('drop table if exists ' ~ relation) -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}


{#- Runs a list of statements; returns the first value of the last one's result (a row count when the last
    statement is a count). -#}
{% macro cc_exec(statements) -%}
    {{ return(adapter.dispatch('cc_exec', 'cdp')(statements)) }}
{%- endmacro %}

{% macro default__cc_exec(statements) -%}
    {%- set ns = namespace(result=none) -%}
    {%- for statement in statements -%}
        {%- set ns.result = run_query(statement) -%}
    {%- endfor -%}
    {{ return(cdp.cc_first_value(ns.result)) }}
{%- endmacro %}

{% macro spark__cc_exec(statements) -%}
    {#- the Spark session runs one statement per call -#}
    {{ return(default__cc_exec(statements)) }}
{%- endmacro %}

{% macro duckdb__cc_exec(statements) -%}
    {#- one round trip: DuckDB runs a ;-separated script and returns the result of its last statement -#}
    {%- if statements | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(cdp.cc_first_value(run_query(statements | join(';\n')))) }}
{%- endmacro %}

{% macro cc_first_value(result) -%}
    {%- if result is none or (result.columns | length) == 0 or (result.rows | length) == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(result.columns[0].values()[0]) }}
{%- endmacro %}


{#- Session settings for the duration of the rounds, and their restoration. -#}
{% macro cc_session_begin() -%}
    {{ return(adapter.dispatch('cc_session_begin', 'cdp')()) }}
{%- endmacro %}

{% macro default__cc_session_begin() -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__cc_session_begin() -%}
    {#- nothing to change: adaptive query execution (on by default in Spark 3.5) already sizes the shuffles of
        the shrinking rounds -#}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__cc_session_begin() -%}
    {#- Work tables never need their rows in insertion order; dropping the guarantee spares DuckDB the
        order-preserving merge of both threads' output on every CREATE TABLE AS. The previous value is returned and
        restored at the end (a build that fails on an SQL error leaves it off for the rest of that connection,
        which only changes the row order of tables built without ORDER BY). -#}
    {% set old = run_query("select current_setting('preserve_insertion_order')").columns[0].values()[0] %}
    {% do run_query('set preserve_insertion_order = false') %}
    {{ return(old) }}
{%- endmacro %}

{% macro cc_session_end(state) -%}
    {{ return(adapter.dispatch('cc_session_end', 'cdp')(state)) }}
{%- endmacro %}

{% macro default__cc_session_end(state) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__cc_session_end(state) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro duckdb__cc_session_end(state) -%}
    {% if state is not none %}
        {% do run_query('set preserve_insertion_order = ' ~ ('true' if state in (true, 'true', 1) else 'false')) %}
    {% endif %}
{%- endmacro %}


{#- Builds the output table (statement 'main') from the final work tables.
    nonroot_sql: (node_id, component_id) for every node that is not the minimum of its component.
    selfroot_sql: (node) self-edge nodes that never hooked anywhere: component minima or isolated nodes.
    The minima are the distinct component ids of nonroot_sql; the isolated nodes are the self-roots left over. -#}
{% macro cc_build_output(relation, nonroot_sql, selfroot_sql, work_prefix, base_relation) -%}
    {{ return(adapter.dispatch('cc_build_output', 'cdp')(relation, nonroot_sql, selfroot_sql, work_prefix, base_relation)) }}
{%- endmacro %}

{% macro default__cc_build_output(relation, nonroot_sql, selfroot_sql, work_prefix, base_relation) -%}
    {#- Portable: no CTE is evaluated twice, no table is read while it is written. -#}
    {% set nonroot = cdp.cc_work_relation(base_relation, work_prefix ~ 'nonroot') %}
    {% set minima = cdp.cc_work_relation(base_relation, work_prefix ~ 'minima') %}
    {% do cdp.cc_exec(cdp.cc_create_sql(nonroot, nonroot_sql)
                      + cdp.cc_create_sql(minima, 'select distinct nr.component_id as node_id from '
                                                   ~ nonroot ~ ' as nr')) %}
    {% call statement('main') -%}
        {{ get_create_table_as_sql(False, relation, cdp.cc_sql_output(nonroot, minima, selfroot_sql)) }}
    {%- endcall %}
    {% do cdp.cc_exec(cdp.cc_drop_sql([nonroot, minima])) %}
{%- endmacro %}

{% macro spark__cc_build_output(relation, nonroot_sql, selfroot_sql, work_prefix, base_relation) -%}
    {#- Spark inlines a CTE at every reference, so the non-root rows are materialised once as a work table -#}
    {% do default__cc_build_output(relation, nonroot_sql, selfroot_sql, work_prefix, base_relation) %}
{%- endmacro %}

{% macro duckdb__cc_build_output(relation, nonroot_sql, selfroot_sql, work_prefix, base_relation) -%}
    {#- One statement: DuckDB materialises the CTEs once and writes the table once. -#}
    {% set sql -%}
        with nonroot as materialized (
            {{ nonroot_sql }}
        ),

        minima as materialized (
            select distinct nr.component_id as node_id from nonroot as nr
        )

        {{ cdp.cc_sql_output('nonroot', 'minima', selfroot_sql) }}
    {%- endset %}
    {% call statement('main') -%}
        {{ get_create_table_as_sql(False, relation, sql) }}
    {%- endcall %}
{%- endmacro %}

{#- Commit after the swap; dbt-spark has no transactions. -#}
{% macro cc_commit() -%}
    {{ return(adapter.dispatch('cc_commit', 'cdp')()) }}
{%- endmacro %}

{% macro default__cc_commit() -%}
    {% do adapter.commit() %}
{%- endmacro %}

{% macro spark__cc_commit() -%}
    {#- dbt-spark has no transactions. -#}
{%- endmacro %}
