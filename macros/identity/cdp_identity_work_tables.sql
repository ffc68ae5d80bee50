{#-
    Work tables of the identity materializations: the clustering rounds (cdp_identity_connected_components), the
    resolution levels (cdp_identity_resolution) and the new rows of a delta (identity_delta). Engine-specific; the SQL
    that fills them is the same everywhere.

      duckdb  - TEMP tables: in memory, private to dbt's connection, gone when it closes.
      spark   - parquet tables in the model's schema (session mode has no transactions and a temp view is only a
                lazily re-evaluated query, so every step is materialised with CREATE TABLE ... USING parquet AS
                SELECT on a fresh name; nothing is ever updated, merged or deleted).
      default - ordinary tables in the model's schema.
-#}

{#- The relation a work table lives at. `name` is already unique per model and step. -#}
{% macro cdp_identity_work_relation(base_relation, name) -%}
    {{ return(adapter.dispatch('cdp_identity_work_relation', 'cdp')(base_relation, name)) }}
{%- endmacro %}

{% macro default__cdp_identity_work_relation(base_relation, name) -%}
    {{ return(base_relation.incorporate(path={'identifier': name}, type='table')) }}
{%- endmacro %}

{% macro spark__cdp_identity_work_relation(base_relation, name) -%}
    {#- A real table next to the model: a temp view would be re-evaluated, with its whole lineage, at every use. -#}
    {{ return(cdp.default__cdp_identity_work_relation(base_relation, name)) }}
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
    {{ return(['drop table if exists ' ~ relation, 'create table ' ~ relation ~ ' using parquet as\n' ~ sql]) }}
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


{% macro cdp_identity_drop_work_tables_sql(relations) -%}
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
