{#- How customer_timeline is materialised. On DuckDB: incremental with delete+insert on interaction_key, so a
    rebuild only writes records that are new or that identity resolution moved to another customer. Elsewhere: a
    table (Spark's parquet tables cannot delete+insert or merge, and insert_overwrite without partitions would
    replace the whole table with the increment). -#}
{% macro cdp_timeline_materialization() -%}
    {{ return(adapter.dispatch('cdp_timeline_materialization', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_timeline_materialization() -%}
    {{ return('table') }}
{%- endmacro %}

{% macro duckdb__cdp_timeline_materialization() -%}
    {{ return('incremental') }}
{%- endmacro %}

{% macro spark__cdp_timeline_materialization() -%}
    {{ return('table') }}
{%- endmacro %}
