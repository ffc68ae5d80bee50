{#- The rows of several models in one result, matched by column name, like dbt_utils.union_relations: every column
    any of them has, in the order first seen; a model without a column gives a null of the column's type there.
    Columns and types come from each model's yml (a data_type on every column, held true by `contract: {enforced:
    true}`), so the union is known at compile time, before any table exists, and reads the same on every engine.
    Stops compilation when `model_names` is not a non-empty list of models of this project, when a column has no
    data_type, or when two models give one column different types. -#}
{% macro cdp_union_models(model_names) -%}
    {%- if model_names is string or model_names is not iterable or model_names | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "cdp_union_models: expects a non-empty list of model names, got '" ~ model_names ~ "'") }}
    {%- endif -%}
    {%- if not execute -%}
        {#- parsing: only the refs matter -#}
        {%- for name in model_names %}
            select * from {{ ref(name) }}
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    {%- else -%}
        {%- set columns = cdp_union_columns(model_names) -%}
        {%- for name in model_names %}
            select
                {%- for column, data_type in columns.items() %}
                    {% if column in graph.nodes['model.' ~ project_name ~ '.' ~ name].columns -%}
                        {{ column }}
                    {%- else -%}
                        cast(null as {{ data_type }}) as {{ column }}
                    {%- endif -%}
                    {{- ',' if not loop.last }}
                {%- endfor %}
            from {{ ref(name) }}
            {% if not loop.last %}union all{% endif %}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}

{#- {column: data type} over the models' yml, in the order first seen (see cdp_union_models). -#}
{% macro cdp_union_columns(model_names) -%}
    {%- set columns = {} -%}
    {%- set problems = [] -%}
    {%- for name in model_names -%}
        {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ name) if name is string else none -%}
        {%- if node is none -%}
            {%- do problems.append("'" ~ name ~ "' is not a model of this project") -%}
        {%- elif not node.columns -%}
            {%- do problems.append(name ~ " declares no columns") -%}
        {%- else -%}
            {%- for column in node.columns.values() -%}
                {%- set data_type = (column.data_type or '') | lower -%}
                {%- if not data_type -%}
                    {%- do problems.append(name ~ "." ~ column.name ~ " has no data_type") -%}
                {%- elif column.name in columns and columns[column.name] != data_type -%}
                    {%- do problems.append(
                        column.name ~ " is " ~ columns[column.name] ~ " elsewhere but " ~ data_type ~ " in " ~ name) -%}
                {%- else -%}
                    {%- do columns.update({column.name: data_type}) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems -%}
        {{ exceptions.raise_compiler_error("cdp_union_models: " ~ problems | join('; ')) }}
    {%- endif -%}
    {{ return(columns) }}
{%- endmacro %}
