{#- Fails for every dbt source declared with meta has_person: true (written from cdp_runner/ingest/contracts.py)
    that the identity stage does not read: without declared markers in the staged-source registry
    (cdp_staged_sources), or with raw rows but no record in int_identity_signatures. -#}
{%- set read_names = cdp_identity_person_sources() | map(attribute='source') | list -%}
{%- set signatures = ref('int_identity_signatures') -%}
{%- set person_sources = [] -%}
{%- if execute -%}
    {%- for node in graph.sources.values() | sort(attribute='name') -%}
        {%- set meta = node.meta or node.config.get('meta', {}) or {} -%}
        {%- if meta.get('has_person') in (true, 'true', 'True') -%}
            {%- do person_sources.append({
                'name': node.name,
                'in_registry': node.name in read_names,
                'raw': api.Relation.create(database=node.database, schema=node.schema, identifier=node.identifier)
            }) -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}

with

problems as (
    select
        cast(null as {{ dbt.type_string() }}) as source_name,
        cast(null as {{ dbt.type_string() }}) as problem
    {% if execute and person_sources | length == 0 %}
        union all
        select
            '*' as source_name,
            'no dbt source carries meta has_person: true' as problem
    {% endif %}
    {% for entry in person_sources %}
        {% if not entry.in_registry %}
            union all
            select
                {{ cdp_identity_literal(entry.name) }} as source_name,
                'has_person source without declared markers in cdp_staged_sources(): the identity stage ignores it'
                    as problem
        {% elif load_relation(entry.raw) is not none %}
            union all
            select
                {{ cdp_identity_literal(entry.name) }} as source_name,
                'raw rows but no record in int_identity_signatures' as problem
            where
                exists (select 1 from {{ entry.raw }})
                and not exists (
                    select 1
                    from {{ signatures }} as signatures
                    where signatures.source_name = {{ cdp_identity_literal(entry.name) }}
                )
        {% endif %}
    {% endfor %}
)

select
    source_name,
    problem
from problems
where problem is not null
