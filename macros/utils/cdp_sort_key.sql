{#- One value that orders rows by several expressions in turn, for min_by / max_by: an unnamed struct (row) where the
    engine compares structs field by field, which costs less than building a text key per row. Callers make every
    field non-null (coalesce): engines differ in where a null field sorts. -#}
{% macro cdp_sort_key(expressions) -%}
    {%- if expressions is string or expressions | length < 2 -%}
        {{ exceptions.raise_compiler_error("cdp_sort_key: expects a list of two or more SQL expressions") }}
    {%- endif -%}
    {{ return(adapter.dispatch('cdp_sort_key', 'cdp')(expressions)) }}
{%- endmacro %}

{% macro default__cdp_sort_key(expressions) -%}
    row({{ expressions | join(', ') }})
{%- endmacro %}

{% macro spark__cdp_sort_key(expressions) -%}
    struct({{ expressions | join(', ') }})
{%- endmacro %}
