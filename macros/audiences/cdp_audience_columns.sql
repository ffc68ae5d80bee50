{#- The columns segment conditions may use: those of int_audience_customer_attributes with their contract data types,
    as a dict {column name: lower-case data type}. Read from the model's properties (its contract guarantees they are
    the built columns), so conditions are checked at compile time, before any table exists. dbt unit tests get no
    graph, so they override this macro with the columns they use. -#}
{% macro cdp_audience_columns() -%}
    {{ return(adapter.dispatch('cdp_audience_columns', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_audience_columns() -%}
    {%- if not graph.get('nodes') -%}
        {{ exceptions.raise_compiler_error("cdp_audience_columns: no graph here (a dbt unit test?): override the macro with the columns the test uses") }}
    {%- endif -%}
    {%- set node = graph.nodes.get('model.' ~ project_name ~ '.int_audience_customer_attributes') -%}
    {%- if node is none -%}
        {{ exceptions.raise_compiler_error("segments: the model int_audience_customer_attributes, whose columns conditions use, is missing") }}
    {%- endif -%}
    {%- set columns = {} -%}
    {%- for name, column in node.columns.items() -%}
        {%- do columns.update({name | lower: (column.data_type or 'varchar') | lower}) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
