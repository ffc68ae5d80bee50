{#- True when both sides are equal or both are null: a join on nullable columns (a record's marker columns) without
    turning nulls into a placeholder value, which would copy every string first. -#}
{% macro cdp_null_safe_equal(left, right) -%}
    {%- if not left or not right -%}
        {{ exceptions.raise_compiler_error("cdp_null_safe_equal: both sides must be SQL expressions") }}
    {%- endif -%}
    {{ return(adapter.dispatch('cdp_null_safe_equal', 'cdp')(left, right)) }}
{%- endmacro %}

{% macro default__cdp_null_safe_equal(left, right) -%}
    ({{ left }} = {{ right }} or ({{ left }} is null and {{ right }} is null))
{%- endmacro %}

{% macro duckdb__cdp_null_safe_equal(left, right) -%}
    {{ left }} is not distinct from {{ right }}
{%- endmacro %}

{% macro spark__cdp_null_safe_equal(left, right) -%}
    {{ left }} <=> {{ right }}
{%- endmacro %}
