{#-
    Work tables of the identity_resolution materialization (engine-specific parts; the SQL of the steps is in
    identity_resolution_sql.sql and is the same everywhere).

      duckdb  - TEMP tables: in memory, private to dbt's connection, gone when it closes.
      spark   - parquet tables in the model's schema, created once under a fresh name and dropped at the end
                (no transactions, no MERGE/UPDATE/DELETE; a temp view would be re-evaluated at every use).
      default - ordinary tables in the model's schema.
-#}

{% macro ir_work_relation(base_relation, name) -%}
    {{ return(adapter.dispatch('ir_work_relation', 'cdp')(base_relation, name)) }}
{%- endmacro %}

{% macro default__ir_work_relation(base_relation, name) -%}
    {{ return(base_relation.incorporate(path={'identifier': name}, type='table')) }}
{%- endmacro %}

{% macro duckdb__ir_work_relation(base_relation, name) -%}
    {{ return(api.Relation.create(identifier=name, type='table').include(database=false, schema=false)) }}
{%- endmacro %}

{% macro spark__ir_work_relation(base_relation, name) -%}
    {{ return(cdp.default__ir_work_relation(base_relation, name)) }}
{%- endmacro %}


{#- CREATE a work table from a SELECT (replacing a leftover of an interrupted run); returns its row count. -#}
{% macro ir_create_work_table(relation, sql) -%}
    {{ return(adapter.dispatch('ir_create_work_table', 'cdp')(relation, sql)) }}
{%- endmacro %}

{% macro default__ir_create_work_table(relation, sql) -%}
    {% do run_query('drop table if exists ' ~ relation) %}
    {% do run_query('create table ' ~ relation ~ ' as\n' ~ sql) %}
    {{ return(cdp.ir_count_rows(relation)) }}
{%- endmacro %}

{% macro duckdb__ir_create_work_table(relation, sql) -%}
    {#- DuckDB reports the number of rows written by CREATE TABLE AS -#}
    {% set result = run_query('create or replace temp table ' ~ relation ~ ' as\n' ~ sql) %}
    {{ return(result.columns[0].values()[0] | int) }}
{%- endmacro %}

{% macro spark__ir_create_work_table(relation, sql) -%}
    {% do run_query('drop table if exists ' ~ relation) %}
    {% do run_query('create table ' ~ relation ~ ' using parquet as\n' ~ sql) %}
    {{ return(cdp.ir_count_rows(relation)) }}
{%- endmacro %}

{% macro ir_count_rows(relation) -%}
    {{ return(run_query('select count(*) as n from ' ~ relation).columns[0].values()[0] | int) }}
{%- endmacro %}


{% macro ir_drop_work_tables(relations) -%}
    {% for relation in relations %}
        {% do run_query('drop table if exists ' ~ relation) %}
    {% endfor %}
{%- endmacro %}


{#- Commits what the materialization wrote; dbt-spark has no transactions. -#}
{% macro ir_commit() -%}
    {{ return(adapter.dispatch('ir_commit', 'cdp')()) }}
{%- endmacro %}

{% macro default__ir_commit() -%}
    {% do adapter.commit() %}
{%- endmacro %}

{% macro spark__ir_commit() -%}
{%- endmacro %}

{#- Runs a query of one row whose every column counts a problem; if any is not 0, drops the work tables and stops
    the build with `message (column = n, ...). hint`. -#}
{% macro ir_fail_on_problems(checks_sql, live, message, hint) -%}
    {%- set checked = run_query(checks_sql) -%}
    {%- set problems = [] -%}
    {%- for column in checked.columns -%}
        {%- if column.values()[0] | int != 0 -%}
            {%- do problems.append(column.name ~ ' = ' ~ column.values()[0]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems | length > 0 -%}
        {%- do cdp.ir_drop_work_tables(live) -%}
        {{ exceptions.raise_compiler_error(message ~ " (" ~ (problems | join(', ')) ~ "). " ~ hint) }}
    {%- endif -%}
{%- endmacro %}
