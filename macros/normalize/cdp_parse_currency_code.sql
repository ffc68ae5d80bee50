{#- An ISO 4217 currency code: the text trimmed and upper-cased when it is three letters; null otherwise. -#}
{% macro cdp_parse_currency_code(expression) -%}
    {%- set code = 'upper(' ~ cdp_clean_string(expression) ~ ')' -%}
    case when {{ cdp_regexp_like(code, '^[A-Z]{3}$') }} then {{ code }} end
{%- endmacro %}
