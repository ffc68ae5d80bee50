{#- A name as the statistical matching compares it: lower case, common accents folded, only the letters a-z kept
    ("O'Brien" -> obrien, "Zoë" -> zoe); null when nothing is left. The same text on every engine. -#}
{% macro cdp_identity_match_name(expression) -%}
    nullif({{ cdp_regexp_replace(
        "translate(lower(trim(" ~ expression ~ ")), 'àáâäãåçèéêëìíîïñòóôöõøùúûüýÿ', 'aaaaaaceeeeiiiinoooooouuuuyy')",
        '[^a-z]', '') }}, '')
{%- endmacro %}
