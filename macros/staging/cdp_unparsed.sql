{#- A CASE branch that rejects a row whose column was delivered but could not be parsed.
    Expects `<column>` (parsed) and `<column>_delivered` (cleaned text) side by side. -#}
{% macro cdp_unparsed(column) -%}
    when {{ column }}_delivered is not null and {{ column }} is null
        then 'unparseable {{ column }}: ' || {{ column }}_delivered
{%- endmacro %}
