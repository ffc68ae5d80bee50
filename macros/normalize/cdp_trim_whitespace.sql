{#- Text with tabs, line breaks (CR, LF) and no-break spaces turned into plain spaces, then trimmed. trim() alone
    removes only spaces on DuckDB and Spark, so a tab-padded '\tann@x.com\t' would fail cdp_normalize_email and
    be lost as a marker. Wrap a column in it before cdp_clean_string: cdp_clean_string(cdp_trim_whitespace('email')).
    It runs on every text column of every staged row. -#}
{% macro cdp_trim_whitespace(expression) -%}
    {{ return(adapter.dispatch('cdp_trim_whitespace', 'cdp')(expression)) }}
{%- endmacro %}

{#- Four replace() calls, not one translate(): on DuckDB translate() cost three times as much (2.9 against 0.9 s on
    6.9 M values). -#}
{% macro default__cdp_trim_whitespace(expression) -%}
    {%- set replaced = namespace(text=expression) -%}
    {%- for code in [9, 10, 13, 160] -%}
        {%- set replaced.text = "replace(" ~ replaced.text ~ ", chr(" ~ code ~ "), ' ')" -%}
    {%- endfor -%}
    trim({{ replaced.text }})
{%- endmacro %}

{#- The same, replacing only in the text that holds one of the characters: DuckDB's replace() copies every value it
    is given, even without a match, and nearly no value has one. base_web__events' query alone at 1,000,000
    customers, four pairs alternating with the replace() chain: 32.4-44.5 s against 38.8-55.7 s (CPU 0.70-0.90), the
    same rows and checksum; a regular expression as the test took 76.9-79.2 s. All staging models in dbt, two pairs:
    CPU 0.93 and 0.99 (docs/loading.md). -#}
{% macro duckdb__cdp_trim_whitespace(expression) -%}
    {%- set tests = [] -%}
    {%- for code in [9, 10, 13, 160] -%}
        {%- do tests.append("contains(" ~ expression ~ ", chr(" ~ code ~ "))") -%}
    {%- endfor -%}
    case
        when {{ tests | join(' or ') }} then {{ default__cdp_trim_whitespace(expression) }}
        else trim({{ expression }})
    end
{%- endmacro %}
