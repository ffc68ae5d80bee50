{#- Staged sources of the catalog system (see cdp_staged_sources). -#}
{% macro cdp_staged_sources_catalog() -%}
    {{ return([
        {'source': 'products', 'base': 'base_catalog__products', 'staged': 'stg_catalog__products', 'key': 'product_sku'},
    ]) }}
{%- endmacro %}
