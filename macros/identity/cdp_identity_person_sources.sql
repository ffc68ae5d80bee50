{#- The person-bearing staged sources the identity stage reads: the entries of cdp_staged_sources() that declare the
    identity markers their staging model fills (`markers`). Every dbt source declared with meta has_person: true
    (written from cdp_runner/ingest/contracts.py) must be one of them: the test assert_identity_reads_every_person_source
    fails otherwise. -#}
{% macro cdp_identity_person_sources() -%}
    {%- set person_sources = [] -%}
    {%- for entry in cdp_staged_sources() if entry.get('markers') -%}
        {%- do person_sources.append(entry) -%}
    {%- endfor -%}
    {{ return(person_sources) }}
{%- endmacro %}
