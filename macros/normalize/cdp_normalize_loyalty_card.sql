{#- The matching form of a loyalty card number: upper case, with the separators people and tills put between
    digit groups (spaces, dashes, dots, slashes) removed, so a scanned '633012345678', a cashier's keyed
    '6330 1234 5678' and a CRM's 'lc-6330-1234-5678' compare as the same card. Null when nothing is left. -#}
{% macro cdp_normalize_loyalty_card(expression) -%}
    {%- set compact = 'upper(' ~ cdp_regexp_replace(cdp_clean_string(expression), '[^0-9A-Za-z]', '') ~ ')' -%}
    case
        when {{ compact }} <> '' then {{ compact }}
    end
{%- endmacro %}
