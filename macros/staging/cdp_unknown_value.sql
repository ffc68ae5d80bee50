{#- A CASE branch that rejects a row whose enumeration column holds a value outside the accepted list
    ('unknown status: shipped'). Expects the column already cleaned and case-folded; null passes (use
    cdp_missing for required columns). `label` names the column in the reason (default: the column). -#}
{% macro cdp_unknown_value(column, accepted_values, label=none) -%}
    when {{ column }} not in (
        {%- for value in accepted_values %}'{{ value }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    )
        then 'unknown {{ label or column }}: ' || {{ column }}
{%- endmacro %}
