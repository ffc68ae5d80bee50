{#- Text with tabs, line breaks (CR, LF) and no-break spaces turned into plain spaces, then trimmed. trim() alone
    removes only spaces on DuckDB and Spark, so a tab-padded '\tann@x.com\t' would fail cdp_normalize_email and
    be lost as a marker. Wrap a column in it before cdp_clean_string: cdp_clean_string(cdp_trim_whitespace('email')). -#}
{% macro cdp_trim_whitespace(expression) -%}
    trim(translate({{ expression }}, chr(9) || chr(10) || chr(13) || chr(160), '    '))
{%- endmacro %}
