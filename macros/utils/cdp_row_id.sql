{#- A bigint unique to each row of one query's result, cheap to make: a key for rows that have no short natural key
    (a record signature is ten marker columns). Not stable between runs: nothing may keep it beyond the build. -#}
{% macro cdp_row_id() -%}
    {{ return(adapter.dispatch('cdp_row_id', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_row_id() -%}
    row_number() over ()
{%- endmacro %}

{% macro spark__cdp_row_id() -%}
    {#- row_number() over () would move every row to one partition -#}
    monotonically_increasing_id()
{%- endmacro %}
