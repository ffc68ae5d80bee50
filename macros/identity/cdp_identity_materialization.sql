{#- Commits what a materialization wrote; dbt-spark has no transactions. -#}
{% macro cdp_identity_commit() -%}
    {{ return(adapter.dispatch('cdp_identity_commit', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_identity_commit() -%}
    {% do adapter.commit() %}
{%- endmacro %}

{% macro spark__cdp_identity_commit() -%}
{%- endmacro %}
