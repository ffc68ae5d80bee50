{#- Rows of a small reference table (a seed) read while the model is compiled for execution, so their values can
    be written into the SQL as literals (patterns for cdp_regexp_like, which takes a literal). Returns [] at parse
    time and in unit tests. `columns` is a list of column names; rows come back as dicts, in `order_by` order. -#}
{% macro cdp_identity_seed_rows(relation, columns, order_by) -%}
    {%- if not execute or relation.schema is none -%}
        {#- at parse time, or in a unit test, where a ref is a fixture (a CTE, no schema) rather than a table -#}
        {{ return([]) }}
    {%- endif -%}
    {%- if load_relation(relation) is none -%}
        {#- Only when compiling without a built warehouse (linting): a build creates the seed before the model. -#}
        {% do log("cdp_identity_seed_rows: " ~ relation ~ " does not exist yet; compiling without its rows", info=false) %}
        {{ return([]) }}
    {%- endif -%}
    {%- set result = run_query('select ' ~ (columns | join(', ')) ~ ' from ' ~ relation ~ ' order by ' ~ order_by) -%}
    {%- set rows = [] -%}
    {%- for row in result.rows -%}
        {%- set values = {} -%}
        {%- for column in columns -%}
            {%- do values.update({column: row[loop.index0]}) -%}
        {%- endfor -%}
        {%- do rows.append(values) -%}
    {%- endfor -%}
    {{ return(rows) }}
{%- endmacro %}

{#- A regular expression from a seed, checked so it can be written into an SQL string literal the same way on
    every engine: no quote (it would end the literal) and no backslash (DuckDB keeps it, Spark unescapes it). Use
    character classes instead: [.] [+] [0-9]. -#}
{% macro cdp_identity_checked_pattern(pattern, seed_name) -%}
    {%- if pattern is none or (pattern | trim) == '' -%}
        {{ exceptions.raise_compiler_error(seed_name ~ ": empty pattern") }}
    {%- endif -%}
    {%- if "'" in pattern or "\\" in pattern -%}
        {{ exceptions.raise_compiler_error(
            seed_name ~ ": pattern " ~ pattern ~ " contains a quote or a backslash; write [.] [+] [0-9] instead") }}
    {%- endif -%}
    {{ return(pattern) }}
{%- endmacro %}

{#- An SQL string literal of a text value (cdp_string_literal: escaped as the engine escapes). -#}
{% macro cdp_identity_literal(value) -%}
    {{ cdp_string_literal(value | string) }}
{%- endmacro %}
