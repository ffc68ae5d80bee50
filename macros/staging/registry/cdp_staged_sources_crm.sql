{#- Staged sources of the crm system (see cdp_staged_sources). -#}
{% macro cdp_staged_sources_crm() -%}
    {{ return([
        {'source': 'crm_customers', 'base': 'base_crm__customers', 'staged': 'stg_crm__customers', 'key': 'crm_customer_id',
            'markers': ['email', 'phone', 'user_id']},
    ]) }}
{%- endmacro %}
