{#- Runs a query of one row whose every column counts a problem; if any is not 0, drops the work tables and stops
    the build with `message (column = n, ...). hint`. -#}
{% macro cdp_identity_fail_on_problems(checks_sql, live, message, hint) -%}
    {%- set checked = run_query(checks_sql) -%}
    {%- set problems = [] -%}
    {%- for column in checked.columns -%}
        {%- if column.values()[0] | int != 0 -%}
            {%- do problems.append(column.name ~ ' = ' ~ column.values()[0]) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if problems | length > 0 -%}
        {%- do cdp.cdp_identity_drop_work_tables(live) -%}
        {{ exceptions.raise_compiler_error(message ~ " (" ~ (problems | join(', ')) ~ "). " ~ hint) }}
    {%- endif -%}
{%- endmacro %}

