{#- The identity form of an e-mail address, for matching only: normalised as by cdp_normalize_email, then
    the +tag removed from the local part (most providers deliver a+news@x to a@x), and for Gmail the dots
    removed and googlemail.com folded into gmail.com (Gmail ignores both). Null when there is no address. -#}
{% macro cdp_canonical_email(expression) -%}
    {%- set address = cdp_normalize_email(expression) -%}
    {%- set local_part = dbt.split_part(dbt.split_part(address, "'@'", 1), "'+'", 1) -%}
    {%- set domain = dbt.split_part(address, "'@'", 2) -%}
    case
        when {{ local_part }} = '' then null
        when {{ domain }} in ('gmail.com', 'googlemail.com')
            then replace({{ local_part }}, '.', '') || '@gmail.com'
        else {{ local_part }} || '@' || {{ domain }}
    end
{%- endmacro %}
