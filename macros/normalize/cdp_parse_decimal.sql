{#- Amount text to decimal(18, 2), as the contract defines it: a plain number with a '.' decimal point and an
    optional sign ('12.50', '-3', '.5'); null for anything else ('12,50', 'abc', and '1e3' or '1_000', which a
    plain try_cast would accept on DuckDB). More than two decimals are rounded. -#}
{% macro cdp_parse_decimal(expression, precision=18, scale=2) -%}
    {%- set text = cdp_clean_string(expression) -%}
    case
        when {{ cdp_regexp_like(text, '^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$') }}
            then {{ cdp_safe_cast(text, 'decimal(' ~ precision ~ ', ' ~ scale ~ ')') }}
    end
{%- endmacro %}
