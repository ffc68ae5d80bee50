{#- The rows of `relation` that happened up to the end of the build's reference date (cdp_as_of_date()), as a subquery
    to select from: what was known "as of" that date, so that a past as_of_date gives a model as it was then.
    `timestamp_column` names the relation's column of when the row happened. -#}
{% macro cdp_up_to_as_of_date(relation, timestamp_column) -%}
    {%- if relation is string or relation is none or not timestamp_column -%}
        {{ exceptions.raise_compiler_error(
            "cdp_up_to_as_of_date: expects a relation (ref or source) and the name of its timestamp column") }}
    {%- endif -%}
    (
        select recorded.*
        from {{ relation }} as recorded
        where recorded.{{ timestamp_column }} < {{ dbt.dateadd('day', 1, cdp_as_of_date()) }}
    )
{%- endmacro %}
