{#- An optional value that must pass a rule beyond its type (a range, a list of accepted values): the value when
    `condition` (SQL that follows the value, e.g. "between 1 and 5" or "in ('card', 'cash')") holds, null when it
    does not. The base model keeps the text beside it as <column>_delivered, so that the record stays in staging and
    audit_nulled_fields records the field (cdp_optional_values()). -#}
{% macro cdp_valid_or_null(expression, condition) -%}
    case when {{ expression }} {{ condition }} then {{ expression }} end
{%- endmacro %}
