{#- The reference date of a build: the date "now" means for ages, trailing windows and open carts, so that a
    rebuild of the same data gives the same marts whatever day it runs. var('as_of_date') ('YYYY-MM-DD') when set;
    otherwise the date of the latest customer activity in the data: the latest web or app event, shop order or till
    receipt among the staged records of the identity record map (resolved to a customer or not). Returns an SQL
    expression of type date. -#}
{% macro cdp_as_of_date() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', configured | string) -%}
            {{ exceptions.raise_compiler_error("var as_of_date must be a date 'YYYY-MM-DD', got '" ~ configured ~ "'") }}
        {%- endif -%}
        cast('{{ configured }}' as date)
    {%- else -%}
        (
            select cast(max(observed_at) as date)
            from {{ ref('identity_record_map') }}
            where source_name in ('web_events', 'app_events', 'shop_orders', 'pos_transactions')
        )
    {%- endif -%}
{%- endmacro %}
