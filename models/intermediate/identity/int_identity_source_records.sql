{#- Every staged record of every person-bearing source (cdp_identity_person_sources) with its identity markers, as
    a view over the staging models: the identity data tests read the records through it, independently of the
    signatures the identity stage builds from them. -#}
{{ config(materialized='view') }}
{%- set sources = cdp_identity_person_sources() -%}
{%- set marker_columns = cdp_identity_marker_columns() %}

with

{% for entry in sources %}
    {{ entry.source }}_records as (
        select
            source_name,
            record_key,
            observed_at,
            {{ marker_columns | join(',\n            ') }},
            identity_signature_key
        from {{ ref(entry.staged) }}
    ),
{% endfor %}

final as (
    {% for entry in sources %}
        select * from {{ entry.source }}_records
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
