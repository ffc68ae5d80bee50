{#- The text parsed as a contract type (cdp_runner/ingest/contracts.py TYPES), null when it is not of that type. -#}
{% macro cdp_parse_as(contract_type, expression) -%}
    {%- if contract_type == 'date' -%} {{ cdp_parse_date(expression) }}
    {%- elif contract_type == 'decimal' -%} {{ cdp_parse_decimal(expression) }}
    {%- elif contract_type == 'integer' -%} {{ cdp_parse_integer(expression) }}
    {%- elif contract_type == 'boolean' -%} {{ cdp_parse_boolean(expression) }}
    {%- elif contract_type == 'timestamp' -%} {{ cdp_to_utc_timestamp(expression) }}
    {%- elif contract_type == 'string' -%} {{ cdp_clean_string(expression) }}
    {%- else -%} {{ exceptions.raise_compiler_error("cdp_parse_as: unknown contract type '" ~ contract_type ~ "'") }}
    {%- endif -%}
{%- endmacro %}
