{#- A CASE branch that rejects a row with no value in a column the record cannot do without. -#}
{% macro cdp_missing(column) -%}
    when {{ column }} is null then 'missing {{ column }}'
{%- endmacro %}
