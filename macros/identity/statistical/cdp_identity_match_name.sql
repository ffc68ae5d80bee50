{#- A name as the statistical matching compares it: lower case, common accents folded, only the letters a-z kept
    ("O'Brien" -> obrien, "Zoë" -> zoe); null when nothing is left. The same text on every engine. Accents are
    folded only in names with a character beyond ASCII: on DuckDB translate() with this map costs nine times the rest
    of the expression (0.2 s a column for 100,000 names), and an ASCII name has nothing to fold. -#}
{% macro cdp_identity_match_name(expression) -%}
    {%- set lowered = "lower(trim(" ~ expression ~ "))" -%}
    {%- set folded -%}
        case
            when {{ cdp_byte_length(expression) }} = length({{ expression }}) then {{ lowered }}
            else translate({{ lowered }}, 'àáâäãåçèéêëìíîïñòóôöõøùúûüýÿ', 'aaaaaaceeeeiiiinoooooouuuuyy')
        end
    {%- endset -%}
    nullif({{ cdp_regexp_replace(folded, '[^a-z]', '') }}, '')
{%- endmacro %}
