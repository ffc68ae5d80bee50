{#- Run at the start of every dbt invocation (on-run-start). On engines that read the loader's tables where the loader
    writes them (DuckDB) there is nothing to do. On Spark every source in schema raw or cdp_meta is an external
    Parquet table over its folder of the raw zone, which the loader publishes (cdp_runner/spark/raw_zone.py) at
    spark.cdp.raw_zone (profiles.yml). Tables already registered at that place are refreshed: a Spark session keeps
    the file list of a table it has read, so a session that outlives a load (a cluster's Thrift server, or several
    builds in one process) would not see the files the loader published since. A missing one is created, and when the
    zone has moved every one is created again (dropping an external table leaves its files). -#}
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
    {%- set registered = [] -%}
    {%- for schema in tables | map(attribute=0) | unique | sort -%}
        {%- do run_query('create database if not exists ' ~ schema) -%}
        {%- for row in run_query('show tables in ' ~ schema) if not row['isTemporary'] -%}
            {%- do registered.append((schema, row['tableName'])) -%}
        {%- endfor -%}
    {%- endfor -%}
    {#- one registered table tells where the zone was registered -#}
    {%- set check = namespace(done=false, moved=false) -%}
    {%- for schema, table in tables | unique | sort if (schema, table) in registered and not check.done -%}
        {%- set check.done = true -%}
        {%- set location = cdp_spark_table_location(schema ~ '.' ~ table) -%}
        {%- set check.moved = location.rstrip('/') != cdp_spark_qualified_path(zone ~ '/' ~ schema ~ '/' ~ table) -%}
    {%- endfor -%}
    {%- for schema, table in tables | unique | sort -%}
        {%- if check.moved or (schema, table) not in registered -%}
            {%- do run_query('drop table if exists ' ~ schema ~ '.' ~ table) -%}
            {%- do run_query('create table ' ~ schema ~ '.' ~ table ~ " using parquet location '"
                ~ zone ~ '/' ~ schema ~ '/' ~ table ~ "'") -%}
        {%- else -%}
            {%- do run_query('refresh table ' ~ schema ~ '.' ~ table) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endmacro %}

{#- The Location of a table, as Spark stores it (a URI, e.g. file:/path). -#}
{% macro cdp_spark_table_location(relation) -%}
    {%- for row in run_query('describe table extended ' ~ relation) if row[0] == 'Location' -%}
        {{ return(row[1]) }}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}

{#- A path as Spark writes a Location: a plain absolute path becomes a file: URI. -#}
{% macro cdp_spark_qualified_path(path) -%}
    {{ return(('file:' ~ path if path.startswith('/') else path).rstrip('/')) }}
{%- endmacro %}
