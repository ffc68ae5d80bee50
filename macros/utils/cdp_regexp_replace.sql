{#- Replace every match of a regular expression. DuckDB replaces only the first match unless given 'g';
    Spark replaces all and rejects the flag. -#}
{% macro cdp_regexp_replace(expression, pattern, replacement) -%}
    {{ return(adapter.dispatch('cdp_regexp_replace', 'cdp')(expression, pattern, replacement)) }}
{%- endmacro %}

{% macro default__cdp_regexp_replace(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}')
{%- endmacro %}

{% macro duckdb__cdp_regexp_replace(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}
