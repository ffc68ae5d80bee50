{#- Run at the start of every dbt invocation (on-run-start). On engines that read the loader's tables where the loader
    writes them (DuckDB) there is nothing to do. On Spark every source in schema raw or cdp_meta is an external
    Parquet table over its folder of the raw zone, which the loader publishes (cdp_runner/spark/raw_zone.py) at
    spark.cdp.raw_zone (profiles.yml): created afresh each time, so a moved zone or a new column is picked up. -#}
{% macro cdp_register_raw_zone() -%}
    {{ return(adapter.dispatch('cdp_register_raw_zone', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_register_raw_zone() -%}
{%- endmacro %}

{% macro spark__cdp_register_raw_zone() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set zone = run_query('set spark.cdp.raw_zone').columns[1].values()[0] -%}
    {%- if not zone or zone == '<undefined>' -%}
        {{ exceptions.raise_compiler_error("spark.cdp.raw_zone is not set: the Spark target needs the raw zone (profiles.yml)") }}
    {%- endif -%}
    {%- set tables = [] -%}
    {%- for source in graph.sources.values() if source.schema in ('raw', 'cdp_meta') -%}
        {%- do tables.append((source.schema, source.identifier)) -%}
    {%- endfor -%}
    {%- for schema in tables | map(attribute=0) | unique -%}
        {%- do run_query('create database if not exists ' ~ schema) -%}
    {%- endfor -%}
    {%- for schema, table in tables | unique | sort -%}
        {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ table) -%}
        {%- do run_query('create table ' ~ schema ~ '.' ~ table ~ " using parquet location '"
            ~ zone ~ '/' ~ schema ~ '/' ~ table ~ "'") -%}
    {%- endfor -%}
{%- endmacro %}
