{#- Staged sources of the marketing system (see cdp_staged_sources). -#}
{% macro cdp_staged_sources_marketing() -%}
    {{ return([
        {'source': 'email_events', 'base': 'base_marketing__email_events',
            'staged': 'stg_marketing__email_events', 'key': 'email_event_id',
            'markers': ['email']},
        {'source': 'messaging_sends', 'base': 'base_marketing__messaging_sends',
            'staged': 'stg_marketing__messaging_sends', 'key': 'message_event_id',
            'markers': ['phone', 'push_token']},
    ]) }}
{%- endmacro %}
