{#- A full name typed into one form field ('grace van dijk', 'Jade'), split at its first space: the first word is the
    first name, the rest the last name (null for a single word). Cases are kept as typed: survivorship tidies them
    (cdp_tidy_person_name). -#}
{% macro cdp_typed_first_name(expression) -%}
    {{ dbt.split_part('trim(' ~ expression ~ ')', "' '", 1) }}
{%- endmacro %}

{% macro cdp_typed_last_name(expression) -%}
    {%- set trimmed = 'trim(' ~ expression ~ ')' -%}
    case
        when {{ dbt.position("' '", trimmed) }} > 0
            then trim(substr({{ trimmed }}, {{ dbt.position("' '", trimmed) }} + 1))
    end
{%- endmacro %}
