{#- Staged sources of the web system (see cdp_staged_sources). -#}
{% macro cdp_staged_sources_web() -%}
    {{ return([
        {'source': 'web_events', 'base': 'base_web__events', 'staged': 'stg_web__events', 'key': 'event_id',
            'markers': ['anonymous_id', 'user_id', 'email', 'ip_address']},
    ]) }}
{%- endmacro %}
