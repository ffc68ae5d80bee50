{#- One row per declared segment (name, description, owner, compiled conditions, condition count), as an SQL select;
    with no segments declared, no rows of the same types. For the catalogue model audience_segments. -#}
{% macro cdp_segment_catalogue(segments) -%}
    {{ return(adapter.dispatch('cdp_segment_catalogue', 'cdp')(segments)) }}
{%- endmacro %}

{% macro default__cdp_segment_catalogue(segments) -%}
    {%- set text = dbt.type_string() -%}
    {%- if segments | length == 0 -%}
        select
            cast(null as {{ text }}) as segment_name,
            cast(null as {{ text }}) as description,
            cast(null as {{ text }}) as segment_owner,
            cast(null as {{ text }}) as condition_sql,
            cast(null as integer) as condition_count
        where 1 = 0
    {%- endif -%}
    {%- for segment in segments %}
        select
            cast('{{ segment.name }}' as {{ text }}) as segment_name,
            cast({{ cdp_string_literal(segment.description | trim) }} as {{ text }}) as description,
            cast({{ cdp_string_literal(segment.owner | trim) }} as {{ text }}) as segment_owner,
            cast({{ cdp_string_literal(cdp_segment_predicate(segment)) }} as {{ text }}) as condition_sql,
            cast({{ segment.conditions | length }} as integer) as condition_count
        {%- if not loop.last %}
        union all
        {%- endif %}
    {%- endfor %}
{%- endmacro %}
