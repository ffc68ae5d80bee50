{#- YYYY-MM-DD text to a date; null for impossible dates ('2025-13-45') and free text. -#}
{% macro cdp_parse_date(expression) -%}
    {{ cdp_safe_cast(cdp_clean_string(expression), 'date') }}
{%- endmacro %}
