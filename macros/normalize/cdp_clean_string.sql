{#- Trimmed text, with empty strings and the usual spellings of "no value" turned into null.
    Tabs, line breaks and no-break spaces count as white space: trim() alone removes only spaces. -#}
{% macro cdp_clean_string(expression) -%}
    {%- set trimmed = cdp_trim_whitespace(expression) -%}
    case
        when lower({{ trimmed }}) in ('', 'null', 'nan') then null
        else {{ trimmed }}
    end
{%- endmacro %}
