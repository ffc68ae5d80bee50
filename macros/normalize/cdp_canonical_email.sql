{#- The identity form of an e-mail address, for matching only: the +tag removed from the local part (most
    providers deliver a+news@x to a@x), and for Gmail the dots removed and googlemail.com folded into gmail.com
    (Gmail ignores both). Null when there is no address.

    cdp_email_identity_form takes an address already normalised by cdp_normalize_email (a column): it repeats its
    argument five times, so a model normalises once in one CTE and takes the identity form of that column in the
    next. cdp_canonical_email does both on delivered text, for a single expression (tests, ad-hoc queries). -#}
{% macro cdp_email_identity_form(address) -%}
    {%- set local_part = dbt.split_part(dbt.split_part(address, "'@'", 1), "'+'", 1) -%}
    {%- set domain = dbt.split_part(address, "'@'", 2) -%}
    case
        when {{ local_part }} = '' then null
        when {{ domain }} in ('gmail.com', 'googlemail.com')
            then replace({{ local_part }}, '.', '') || '@gmail.com'
        else {{ local_part }} || '@' || {{ domain }}
    end
{%- endmacro %}

{% macro cdp_canonical_email(expression) -%}
    {{ cdp_email_identity_form(cdp_normalize_email(expression)) }}
{%- endmacro %}
