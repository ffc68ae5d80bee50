{#- Custom schemas are used as named (staging, marts, ...) rather than prefixed with the target schema,
    so BI tools and the runner find the marts at a stable address. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
