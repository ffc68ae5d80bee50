{#- The reporting currency of the money figures: var cdp_reporting_currency (an ISO 4217 code, e.g. GBP or USD),
    upper-cased. It converts at 1 whether or not the seed currency_rates has a row for it. -#}
{% macro cdp_reporting_currency() -%}
    {%- set code = var('cdp_reporting_currency', 'GBP') | string | trim | upper -%}
    {%- if not modules.re.match('^[A-Z]{3}$', code) -%}
        {{ exceptions.raise_compiler_error(
            "var cdp_reporting_currency must be an ISO 4217 code such as GBP or USD, got '"
            ~ var('cdp_reporting_currency') ~ "'"
        ) }}
    {%- endif -%}
    {{ return(code) }}
{%- endmacro %}
