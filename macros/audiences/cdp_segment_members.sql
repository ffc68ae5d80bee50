{#- SQL selecting the members of every declared segment from `relation` (the audience input model): one row per
    (customer_id, segment_name) with the relation's as_of_date. Every condition of a segment must hold. With no
    segments declared it selects no rows, with the same column types. Wrong conditions stop compilation with one
    message naming each (segment, condition, reason). -#}
{% macro cdp_segment_members(relation) -%}
    {{ return(adapter.dispatch('cdp_segment_members', 'cdp')(relation)) }}
{%- endmacro %}

{% macro default__cdp_segment_members(relation) -%}
    {%- set segments = cdp_segment_declarations() -%}
    {%- if segments | length == 0 -%}
        select
            cast(null as {{ dbt.type_string() }}) as customer_id,
            cast(null as {{ dbt.type_string() }}) as segment_name,
            cast(null as date) as as_of_date
        from {{ relation }}
        where 1 = 0
    {%- else -%}
        {%- set columns = cdp_audience_columns() -%}
        {#- every wrong condition of every segment in one message, not just the first -#}
        {%- set problems = [] -%}
        {%- for segment in segments -%}
            {%- for condition in segment.conditions -%}
                {%- do cdp_segment_condition(segment.name, condition, columns, problems) -%}
            {%- endfor -%}
        {%- endfor -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error(problems | length ~ " wrong segment condition(s): " ~ problems | join('; ')) }}
        {%- endif -%}
        {%- for segment in segments %}
        select
            customer_id,
            cast('{{ segment.name }}' as {{ dbt.type_string() }}) as segment_name,
            as_of_date
        from {{ relation }}
        where
            {% for condition in segment.conditions -%}
            {{ 'and ' if not loop.first }}({{ cdp_segment_condition(segment.name, condition, columns) }})
            {% endfor -%}
        {%- if not loop.last %}
        union all
        {%- endif %}
        {%- endfor %}
    {%- endif -%}
{%- endmacro %}


{#- One segment's conditions as a single SQL predicate (the catalogue audience_segments shows it). -#}
{% macro cdp_segment_predicate(segment) -%}
    {%- set columns = cdp_audience_columns() -%}
    {%- set parts = [] -%}
    {%- for condition in segment.conditions -%}
        {%- do parts.append('(' ~ cdp_segment_condition(segment.name, condition, columns) ~ ')') -%}
    {%- endfor -%}
    {{ return(parts | join(' and ')) }}
{%- endmacro %}
