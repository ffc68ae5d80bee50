{#- A timestamp later than any real one: the stand-in for a null in an ordering (min_by skips null values, and
    engines differ in where a null field of a sort key goes). -#}
{% macro cdp_far_future_timestamp() -%}
    cast('9999-12-31 23:59:59' as {{ dbt.type_timestamp() }})
{%- endmacro %}
