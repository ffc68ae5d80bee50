{#- Staged sources of the shop system (see cdp_staged_sources). -#}
{% macro cdp_staged_sources_shop() -%}
    {{ return([
        {'source': 'shop_orders', 'base': 'base_shop__orders', 'staged': 'stg_shop__orders', 'key': 'order_id',
            'markers': ['email', 'phone', 'user_id']},
        {'source': 'shop_order_lines', 'base': 'base_shop__order_lines', 'staged': 'stg_shop__order_lines', 'key': 'order_line_id'},
    ]) }}
{%- endmacro %}
