{#- A string as an SQL literal, quotes included. The escape differs: DuckDB and the standard double a quote
    ('O''Brien'); Spark reads that as two adjacent literals (OBrien) and escapes with a backslash instead
    ('O\'Brien'), so a backslash is escaped there too. None becomes null. -#}
{% macro cdp_string_literal(value) -%}
    {%- if value is none -%}
        {{ return('null') }}
    {%- endif -%}
    {{ return(adapter.dispatch('cdp_string_literal', 'cdp')(value | string)) }}
{%- endmacro %}

{% macro default__cdp_string_literal(value) -%}
    {{ return("'" ~ value | replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__cdp_string_literal(value) -%}
    {{ return("'" ~ value | replace("\\", "\\\\") | replace("'", "\\'") ~ "'") }}
{%- endmacro %}
