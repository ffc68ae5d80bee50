{#- The check behind the generic test cdp_not_null_constraints (tests/data/generic/): one row per not_null constrained
    column of the model that holds a null, or nothing where the engine enforces the constraint itself. -#}
{% macro cdp_not_null_constraints_sql(model) -%}
    {{ return(adapter.dispatch('cdp_not_null_constraints_sql', 'cdp')(model)) }}
{%- endmacro %}

{% macro default__cdp_not_null_constraints_sql(model) -%}
    select 'enforced by the engine' as column_name, 0 as null_rows where 1 = 0
{%- endmacro %}

{% macro spark__cdp_not_null_constraints_sql(model) -%}
    {%- set columns = [] -%}
    {%- if execute -%}
        {%- for node in graph.nodes.values()
            if node.resource_type == 'model' and node.schema == model.schema and node.alias == model.identifier -%}
            {%- for column in node.columns.values() -%}
                {%- if column.constraints | selectattr('type', 'equalto', 'not_null') | list -%}
                    {%- do columns.append(column.name) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endfor -%}
    {%- endif -%}
    with

    null_counts as (
        {%- for column in columns %}
        select '{{ column }}' as column_name, count(*) as null_rows from {{ model }} where {{ column }} is null
        {%- if not loop.last %}
        union all
        {%- endif -%}
        {%- else %}
        select 'none' as column_name, 0 as null_rows
        {%- endfor %}
    )

    select * from null_counts where null_rows > 0
{%- endmacro %}
