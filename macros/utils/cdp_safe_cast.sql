{#- Cast that yields null instead of failing. dbt.safe_cast is a plain cast on DuckDB and Spark,
    which would abort the build on the first malformed value; staging needs the null to quarantine the row. -#}
{% macro cdp_safe_cast(expression, data_type) -%}
    {%- if data_type is none or data_type | trim == '' -%}
        {{ exceptions.raise_compiler_error("cdp_safe_cast: data_type is required") }}
    {%- endif -%}
    {{ return(adapter.dispatch('cdp_safe_cast', 'cdp')(expression, data_type)) }}
{%- endmacro %}

{% macro default__cdp_safe_cast(expression, data_type) -%}
    {{ dbt.safe_cast(expression, data_type) }}
{%- endmacro %}

{% macro duckdb__cdp_safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}

{% macro spark__cdp_safe_cast(expression, data_type) -%}
    try_cast({{ expression }} as {{ data_type }})
{%- endmacro %}
