{#- Light tidying of free-typed values so that the same value typed twice compares equal in survivorship. -#}

{#- First letter upper case, the rest as typed ('teacher' -> 'Teacher'); null stays null. -#}
{% macro cdp_capitalise_first(expression) -%}
    upper(substr({{ expression }}, 1, 1)) || substr({{ expression }}, 2)
{%- endmacro %}

{#- A name typed all in lower or all in upper case ('grace', 'GRACE') gets a capital first letter and the rest in
    lower case; mixed case ('McDonald', 'van Dijk') is kept as typed. -#}
{% macro cdp_tidy_person_name(expression) -%}
    case
        when {{ expression }} = lower({{ expression }}) or {{ expression }} = upper({{ expression }})
            then upper(substr({{ expression }}, 1, 1)) || lower(substr({{ expression }}, 2))
        else {{ expression }}
    end
{%- endmacro %}

{#- A postcode for comparison and display: upper case without white space; a UK postcode (country GB or unknown,
    5 to 7 letters and digits) gets its single space before the inward code ('w32pw' -> 'W3 2PW'). -#}
{% macro cdp_tidy_postcode(expression, country_expression='null') -%}
    {%- set compact = 'upper(' ~ cdp_regexp_replace(expression, '[^0-9A-Za-z]', '') ~ ')' -%}
    case
        when {{ compact }} = '' then null
        when coalesce(upper({{ country_expression }}), 'GB') = 'GB' and length({{ compact }}) between 5 and 7
            then substr({{ compact }}, 1, length({{ compact }}) - 3) || ' ' || substr({{ compact }}, length({{ compact }}) - 2)
        else {{ compact }}
    end
{%- endmacro %}
