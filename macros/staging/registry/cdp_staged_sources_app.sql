{#- Staged sources of the app system (see cdp_staged_sources). -#}
{% macro cdp_staged_sources_app() -%}
    {{ return([
        {'source': 'app_events', 'base': 'base_app__events', 'staged': 'stg_app__events', 'key': 'event_id',
            'markers': ['device_id', 'user_id', 'push_token', 'ip_address']},
    ]) }}
{%- endmacro %}
