{#- Placed between `name as` and the opening bracket of a CTE that several later CTEs read: asks the engine to
    inline it into each reader instead of storing its rows once. DuckDB stores such a CTE by default, and for the
    tens of millions of wide interaction rows of a 1,000,000-customer warehouse that store spilled more than 23 GB
    to disk (customer_traits); inlined, each reader keeps only the columns and rows it needs. Spark and most other
    engines inline CTEs anyway. -#}
{% macro cdp_inline_cte() -%}
    {{ return(adapter.dispatch('cdp_inline_cte', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_inline_cte() -%}
{%- endmacro %}

{% macro duckdb__cdp_inline_cte() -%}
    not materialized
{%- endmacro %}
