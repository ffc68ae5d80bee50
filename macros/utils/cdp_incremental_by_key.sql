{#- The config of a model whose rows are replaced key by key (the staging models: one row per record, its newest
    delivery). DuckDB: delete+insert on `unique_key`. Spark (Parquet tables, no delete or merge, and Delta's jars
    are not in the pyspark wheel): a table rebuilt in full, since a key's row can move from one load's partition
    to another's and insert_overwrite by partition cannot remove it from the first. -#}
{% macro cdp_incremental_by_key_config(unique_key) -%}
    {%- if not unique_key -%}
        {{ exceptions.raise_compiler_error('cdp_incremental_by_key_config: unique_key is required') }}
    {%- endif -%}
    {{ return(adapter.dispatch('cdp_incremental_by_key_config', 'cdp')(unique_key)) }}
{%- endmacro %}

{% macro default__cdp_incremental_by_key_config(unique_key) -%}
    {{ return({'materialized': 'incremental', 'incremental_strategy': 'delete+insert', 'unique_key': unique_key}) }}
{%- endmacro %}

{% macro spark__cdp_incremental_by_key_config(unique_key) -%}
    {{ return({'materialized': 'table'}) }}
{%- endmacro %}
