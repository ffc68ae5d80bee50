{#- The incremental config of a model rewritten load by load (the staging base models).
    DuckDB: delete+insert on `unique_key` (load_id for a table rewritten per load).
    Spark (Parquet, no delete or merge): insert_overwrite of the partitions by load_id the run writes; Spark puts
    partition columns last, so such a model's load_id is its last column there. -#}
{% macro cdp_incremental_by_load_config(unique_key) -%}
    {%- if not unique_key -%}
        {{ exceptions.raise_compiler_error('cdp_incremental_by_load_config: unique_key is required') }}
    {%- endif -%}
    {{ return(adapter.dispatch('cdp_incremental_by_load_config', 'cdp')(unique_key)) }}
{%- endmacro %}

{% macro default__cdp_incremental_by_load_config(unique_key) -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert', 'unique_key': unique_key}) }}
{%- endmacro %}

{% macro spark__cdp_incremental_by_load_config(unique_key) -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'insert_overwrite', 'partition_by': ['load_id']}) }}
{%- endmacro %}


{#- Spark: drops the load_id partitions of `existing` whose load is not among `current_loads` (a query of one column,
    the load ids that still have rows), one statement each. An insert_overwrite run rewrites the partitions of the
    loads it writes; a load left without rows writes none, so its partition is dropped here. -#}
{% macro cdp_drop_load_partitions(existing, current_loads) -%}
    {%- if execute -%}
        {%- set emptied = run_query(
            'select distinct existing.load_id from ' ~ existing ~ ' as existing where existing.load_id not in ('
            ~ current_loads ~ ')'
        ) -%}
        {%- for row in emptied -%}
            {%- do run_query('alter table ' ~ existing ~ ' drop if exists partition (load_id = '
                ~ cdp_string_literal(row[0]) ~ ')') -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
