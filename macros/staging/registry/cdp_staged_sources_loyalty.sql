{#- Staged sources of the loyalty system (see cdp_staged_sources). -#}
{% macro cdp_staged_sources_loyalty() -%}
    {{ return([
        {'source': 'loyalty_members', 'base': 'base_loyalty__members', 'staged': 'stg_loyalty__members', 'key': 'loyalty_card_number',
            'markers': ['email', 'phone', 'loyalty_card']},
    ]) }}
{%- endmacro %}
