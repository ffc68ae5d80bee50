{#- Whole-number text ('12', '-3', '+4') to bigint, as the contract defines an integer: digits with an optional
    sign. Null for anything else: a plain try_cast would round '4.5' to 5 on DuckDB. -#}
{% macro cdp_parse_integer(expression) -%}
    {%- set text = cdp_clean_string(expression) -%}
    case
        when {{ cdp_regexp_like(text, '^[+-]?[0-9]+$') }} then {{ cdp_safe_cast(text, 'bigint') }}
    end
{%- endmacro %}
