{#- Boolean text in the spellings exports use (true/false, 1/0, yes/no, y/n, t/f) to a boolean; null otherwise. -#}
{% macro cdp_parse_boolean(expression) -%}
    case
        when lower(trim({{ expression }})) in ('true', 't', '1', 'yes', 'y') then true
        when lower(trim({{ expression }})) in ('false', 'f', '0', 'no', 'n') then false
    end
{%- endmacro %}
