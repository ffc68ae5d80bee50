{#- The marker columns of a record signature (int_identity_signatures), each with `prefix` before its name. -#}
{% macro cdp_identity_marker_columns(prefix='') -%}
    {%- set columns = [] -%}
    {%- for marker_type in cdp_identity_marker_types() -%}
        {%- do columns.append(prefix ~ 'marker_' ~ marker_type) -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}

{#- One text of several string expressions, the input of a signature's hash: a null counts as '' (a marker is never
    ''), and parts are separated by the ASCII unit separator, which no identifier of the generated or real sources
    holds. Two signatures that still came out alike would fail the unique test on int_identity_signatures. -#}
{% macro cdp_identity_signature_text(expressions) -%}
    {%- if expressions is string or expressions | length == 0 -%}
        {{ exceptions.raise_compiler_error("cdp_identity_signature_text: expects a non-empty list of SQL expressions") }}
    {%- endif -%}
    {%- for expression in expressions -%}
        coalesce({{ expression }}, ''){% if not loop.last %} || chr(31) || {% endif %}
    {%- endfor -%}
{%- endmacro %}
