{#- The length of a text in bytes (UTF-8): equal to its length in characters exactly when every character is ASCII. -#}
{% macro cdp_byte_length(expression) -%}
    {{ return(adapter.dispatch('cdp_byte_length', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__cdp_byte_length(expression) -%}
    octet_length({{ expression }})
{%- endmacro %}

{% macro duckdb__cdp_byte_length(expression) -%}
    strlen({{ expression }})
{%- endmacro %}
