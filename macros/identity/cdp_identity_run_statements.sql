{#- Runs a list of statements; returns the first value of the last one's result (a row count when the last
    statement is a count). -#}
{% macro cdp_identity_run_statements(statements) -%}
    {{ return(adapter.dispatch('cdp_identity_run_statements', 'cdp')(statements)) }}
{%- endmacro %}

{% macro default__cdp_identity_run_statements(statements) -%}
    {%- set ns = namespace(result=none) -%}
    {%- for statement in statements -%}
        {%- set ns.result = run_query(statement) -%}
    {%- endfor -%}
    {{ return(cdp.cdp_identity_first_value(ns.result)) }}
{%- endmacro %}

{% macro spark__cdp_identity_run_statements(statements) -%}
    {#- the Spark session runs one statement per call -#}
    {{ return(cdp.default__cdp_identity_run_statements(statements)) }}
{%- endmacro %}

{% macro duckdb__cdp_identity_run_statements(statements) -%}
    {#- one round trip: DuckDB runs a ;-separated script and returns the result of its last statement -#}
    {%- if statements | length == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(cdp.cdp_identity_first_value(run_query(statements | join(';\n')))) }}
{%- endmacro %}

{% macro cdp_identity_first_value(result) -%}
    {%- if result is none or (result.columns | length) == 0 or (result.rows | length) == 0 -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(result.columns[0].values()[0]) }}
{%- endmacro %}
