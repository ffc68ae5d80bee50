{#- Staged sources of the pos system (see cdp_staged_sources). -#}
{% macro cdp_staged_sources_pos() -%}
    {{ return([
        {'source': 'pos_transactions', 'base': 'base_pos__transactions', 'staged': 'stg_pos__transactions', 'key': 'transaction_id',
            'markers': ['email', 'loyalty_card', 'pos_transaction']},
        {'source': 'pos_transaction_lines', 'base': 'base_pos__transaction_lines', 'staged': 'stg_pos__transaction_lines', 'key': 'transaction_line_id'},
        {'source': 'stores', 'base': 'base_pos__stores', 'staged': 'stg_pos__stores', 'key': 'store_id'},
    ]) }}
{%- endmacro %}
