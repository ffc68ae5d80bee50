{#- The person-bearing staged sources the identity stage reads: the entries of cdp_staged_sources() whose dbt
    source table is declared with `meta: {has_person: true}` (the flag is written from cdp_runner/contracts.py).

    dbt only knows the graph when it executes, while refs must be seen when it parses: at parse time every staged
    source is returned (so every staging and base model becomes a dependency), at execution time only the
    person-bearing ones. -#}
{% macro cdp_identity_person_sources() -%}
    {%- set staged = cdp_staged_sources() -%}
    {%- if not execute -%}
        {{ return(staged) }}
    {%- endif -%}
    {%- set flagged = cdp_identity_has_person_flags() -%}
    {%- set person_sources = [] -%}
    {%- for entry in staged -%}
        {%- if flagged.get(entry.source) -%}
            {%- do person_sources.append(entry) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(person_sources) }}
{%- endmacro %}

{#- {source table name: has_person} for every dbt source table that carries the has_person flag. -#}
{% macro cdp_identity_has_person_flags() -%}
    {%- set flags = {} -%}
    {%- if execute -%}
        {%- for node in graph.sources.values() -%}
            {%- set meta = node.meta or node.config.get('meta', {}) or {} -%}
            {%- if meta.get('has_person') is not none -%}
                {%- do flags.update({node.name: meta.get('has_person') in (true, 'true', 'True')}) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(flags) }}
{%- endmacro %}
