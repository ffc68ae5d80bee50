{#- The reference date of a build: the date "now" means for ages, trailing windows, open carts, RFM and lifetime
    value, so that a rebuild of the same data gives the same marts whatever day it runs. var('as_of_date')
    ('YYYY-MM-DD') when set; otherwise the date (UTC) of the latest transaction in the data: the latest shop order or
    till receipt among the staged records of the identity record map (resolved to a customer or not). Web, app and
    marketing activity does not move it (issue 5: one reference date, the latest transaction, for every mart). A
    warehouse without transactions (a CRM-only or events-only start) takes the latest record of any source, and one
    without any record the current date, so that it still builds (its value marts have no purchases to measure).
    Returns an SQL expression of type date. -#}
{% macro cdp_as_of_date() -%}
    {%- set configured = var('as_of_date', none) -%}
    {%- if configured -%}
        {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', configured | string) -%}
            {{ exceptions.raise_compiler_error("var as_of_date must be a date 'YYYY-MM-DD', got '" ~ configured ~ "'") }}
        {%- endif -%}
        cast('{{ configured }}' as date)
    {%- else -%}
        (
            select coalesce(
                cast(max(case when source_name in ('shop_orders', 'pos_transactions') then observed_at end) as date),
                cast(max(observed_at) as date),
                cast({{ dbt.current_timestamp() }} as date)
            )
            from {{ ref('identity_record_map') }}
        )
    {%- endif -%}
{%- endmacro %}
