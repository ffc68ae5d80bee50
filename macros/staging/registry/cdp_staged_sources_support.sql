{#- Staged sources of the support system (see cdp_staged_sources). -#}
{% macro cdp_staged_sources_support() -%}
    {{ return([
        {'source': 'support_tickets', 'base': 'base_support__tickets',
            'staged': 'stg_support__tickets', 'key': 'ticket_id',
            'markers': ['email', 'phone']},
        {'source': 'live_chats', 'base': 'base_support__live_chats',
            'staged': 'stg_support__live_chats', 'key': 'chat_id',
            'markers': ['anonymous_id', 'email']},
    ]) }}
{%- endmacro %}
