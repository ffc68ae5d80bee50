{#- Every staged record of every person-bearing source (cdp_identity_person_sources) with its identity markers, as
    a view: the identity stage reads the records twice (int_identity_signatures, identity_record_map) and a stored
    copy of every record would cost more to write than the two reads. -#}
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
            load_id,
            {{ marker_columns | join(',\n            ') }}
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
