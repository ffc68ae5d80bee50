{#- True when the expression contains a match of the regular expression. -#}
{% macro cdp_regexp_like(expression, pattern) -%}
    {{ return(adapter.dispatch('cdp_regexp_like', 'cdp')(expression, pattern)) }}
{%- endmacro %}

{% macro default__cdp_regexp_like(expression, pattern) -%}
    regexp_like({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro duckdb__cdp_regexp_like(expression, pattern) -%}
    regexp_matches({{ expression }}, '{{ pattern }}')
{%- endmacro %}

{% macro spark__cdp_regexp_like(expression, pattern) -%}
    ({{ expression }} rlike '{{ pattern }}')
{%- endmacro %}
