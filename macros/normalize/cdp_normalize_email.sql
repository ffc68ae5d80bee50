{#- A deliverable e-mail address: trimmed (tabs and line breaks too) and lower-cased; null when it is not shaped
    like an address ('none', 'unknown', 'john smith@x.com'). Dots and +tags are kept: the address must still
    reach the person. -#}
{% macro cdp_normalize_email(expression) -%}
    {%- set lowered = 'lower(' ~ cdp_trim_whitespace(expression) ~ ')' -%}
    case
        when {{ cdp_regexp_like(lowered, '^[^@ ]+@[^@ ]+[.][a-z]{2,}$') }} then {{ lowered }}
    end
{%- endmacro %}
