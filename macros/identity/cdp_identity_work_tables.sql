{#-
    Work tables of the identity materializations: the clustering rounds (cdp_identity_connected_components) and the
    resolution levels (cdp_identity_resolution). Engine-specific; the SQL that fills them is the same everywhere.
    Every work table of a build has a name of its own and is written once.

      duckdb  - TEMP tables: in memory, private to dbt's connection, gone when it closes; each dropped as soon as
                it is no longer read, to free the memory.
      spark   - parquet tables in a work database of the model's own, <schema>__<model>__work (session mode has no
                transactions and a temp view is only a lazily re-evaluated query, so every step is materialised with
                CREATE TABLE ... USING parquet AS SELECT). The database is created empty when the model's build
                begins and dropped with everything in it when it ends (or, after a failed build, when the next one
                begins): one statement instead of one per table, each a round trip costing about as much as a small
                query (about 560 of them in a build of the demo data).
      default - ordinary tables in the model's schema, dropped as soon as they are no longer read.
-#}

{#- The work database of the model being built (Spark). -#}
{% macro cdp_identity_work_schema() -%}
    {{ return(this.schema ~ '__' ~ this.identifier ~ '__work') }}
{%- endmacro %}

{#- Called by cdp_identity_materialization_begin/end: an empty work area for the model's build, and its removal. -#}
{% macro cdp_identity_work_area_begin() -%}
    {{ return(adapter.dispatch('cdp_identity_work_area_begin', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_identity_work_area_begin() -%}
{%- endmacro %}

{% macro spark__cdp_identity_work_area_begin() -%}
    {#- what a failed build left goes first -#}
    {% do cdp.spark__cdp_identity_work_area_end() %}
    {% do run_query('create database ' ~ cdp.cdp_identity_work_schema()) %}
{%- endmacro %}

{% macro cdp_identity_work_area_end() -%}
    {{ return(adapter.dispatch('cdp_identity_work_area_end', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_identity_work_area_end() -%}
{%- endmacro %}

{% macro spark__cdp_identity_work_area_end() -%}
    {% do run_query('drop database if exists ' ~ cdp.cdp_identity_work_schema() ~ ' cascade') %}
{%- endmacro %}


{#- The relation a work table lives at. `name` is already unique per model and step. -#}
{% macro cdp_identity_work_relation(base_relation, name) -%}
    {{ return(adapter.dispatch('cdp_identity_work_relation', 'cdp')(base_relation, name)) }}
{%- endmacro %}

{% macro default__cdp_identity_work_relation(base_relation, name) -%}
    {{ return(base_relation.incorporate(path={'identifier': name}, type='table')) }}
{%- endmacro %}

{% macro spark__cdp_identity_work_relation(base_relation, name) -%}
    {#- A real table: a temp view would be re-evaluated, with its whole lineage, at every use. -#}
    {{ return(base_relation.incorporate(path={'schema': cdp.cdp_identity_work_schema(), 'identifier': name},
                                        type='table')) }}
{%- endmacro %}

{% macro duckdb__cdp_identity_work_relation(base_relation, name) -%}
    {#- TEMP tables live in the temp catalog and are found by their bare name. -#}
    {{ return(api.Relation.create(identifier=name, type='table').include(database=false, schema=false)) }}
{%- endmacro %}


{#- Statements that CREATE a work table from a SELECT, replacing any leftover of an earlier, interrupted run. -#}
{% macro cdp_identity_work_table_sql(relation, sql) -%}
    {{ return(adapter.dispatch('cdp_identity_work_table_sql', 'cdp')(relation, sql)) }}
{%- endmacro %}

{% macro default__cdp_identity_work_table_sql(relation, sql) -%}
    {{ return(['drop table if exists ' ~ relation, 'create table ' ~ relation ~ ' as\n' ~ sql]) }}
{%- endmacro %}

{% macro duckdb__cdp_identity_work_table_sql(relation, sql) -%}
    {{ return(['create or replace temp table ' ~ relation ~ ' as\n' ~ sql]) }}
{%- endmacro %}

{% macro spark__cdp_identity_work_table_sql(relation, sql) -%}
    {#- the work database starts empty and no name is written twice -#}
    {{ return(['create table ' ~ relation ~ ' using parquet as\n' ~ sql]) }}
{%- endmacro %}


{#- Creates a work table from a SELECT now; with counted, returns its row count (elsewhere than on DuckDB that is
    one more statement, and on Spark each statement is a job, so only a caller that reads the count asks for it). -#}
{% macro cdp_identity_create_work_table(relation, sql, counted=false) -%}
    {{ return(adapter.dispatch('cdp_identity_create_work_table', 'cdp')(relation, sql, counted)) }}
{%- endmacro %}

{% macro default__cdp_identity_create_work_table(relation, sql, counted) -%}
    {%- set statements = cdp.cdp_identity_work_table_sql(relation, sql) -%}
    {%- if not counted -%}
        {% do cdp.cdp_identity_run_statements(statements) %}
        {{ return(none) }}
    {%- endif -%}
    {{ return(cdp.cdp_identity_run_statements(statements + [cdp.cdp_identity_count_sql(relation)]) | int) }}
{%- endmacro %}

{% macro duckdb__cdp_identity_create_work_table(relation, sql, counted) -%}
    {#- DuckDB reports the number of rows written by CREATE TABLE AS -#}
    {{ return(cdp.cdp_identity_run_statements(cdp.cdp_identity_work_table_sql(relation, sql)) | int) }}
{%- endmacro %}


{#- A step whose result is cheap to compute again and read at most twice: created as a work table, or, on Spark,
    where each work table is a job of its own (about 0.5 s even for a few rows), returned as a parenthesised query
    to be read in its place. Either way the result can follow FROM (with an alias). -#}
{% macro cdp_identity_cheap_step(relation, sql) -%}
    {%- set statements, readable = cdp.cdp_identity_cheap_step_sql(relation, sql) -%}
    {%- if statements %}{% do cdp.cdp_identity_run_statements(statements) %}{% endif -%}
    {{ return(readable) }}
{%- endmacro %}

{#- The same for a caller that runs its statements in batches: [the statements that make the step readable, what
    to read it as]. -#}
{% macro cdp_identity_cheap_step_sql(relation, sql) -%}
    {{ return(adapter.dispatch('cdp_identity_cheap_step_sql', 'cdp')(relation, sql)) }}
{%- endmacro %}

{% macro default__cdp_identity_cheap_step_sql(relation, sql) -%}
    {{ return([cdp.cdp_identity_work_table_sql(relation, sql), relation]) }}
{%- endmacro %}

{% macro spark__cdp_identity_cheap_step_sql(relation, sql) -%}
    {{ return([[], '(' ~ sql ~ ')']) }}
{%- endmacro %}


{% macro cdp_identity_drop_work_tables_sql(relations) -%}
    {{ return(adapter.dispatch('cdp_identity_drop_work_tables_sql', 'cdp')(relations)) }}
{%- endmacro %}

{% macro spark__cdp_identity_drop_work_tables_sql(relations) -%}
    {#- dropped with the work database when the build ends -#}
    {{ return([]) }}
{%- endmacro %}

{% macro default__cdp_identity_drop_work_tables_sql(relations) -%}
    {%- set statements = [] -%}
    {%- for relation in relations -%}
        {%- do statements.append('drop table if exists ' ~ relation) -%}
    {%- endfor -%}
    {{ return(statements) }}
{%- endmacro %}

{% macro cdp_identity_drop_work_tables(relations) -%}
    {% do cdp.cdp_identity_run_statements(cdp.cdp_identity_drop_work_tables_sql(relations)) %}
{%- endmacro %}


{% macro cdp_identity_count_sql(relation) -%}
    select count(*) as n from {{ relation }}
{%- endmacro %}
