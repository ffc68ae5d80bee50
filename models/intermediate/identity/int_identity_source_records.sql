{#- One row per staged record of every person-bearing source (cdp_identity_person_sources), with its identity
    markers and the load that first delivered it. The first delivery (not the kept, newest one) dates the record,
    so a re-delivery never makes an identifier look younger and never moves a customer id. -#}
{%- set sources = cdp_identity_person_sources() -%}
{%- set marker_types = cdp_identity_marker_types() %}

with

{% for entry in sources %}
    -- the load of each record's first delivery (earliest loaded_at, then load id): one aggregation, no window over
    -- every delivery; ISO timestamps sort as text
    {{ entry.source }}_deliveries as (
        select
            {{ entry.key }} as record_key,
            min_by(load_id, cast(loaded_at as {{ dbt.type_string() }}) || '|' || load_id) as first_load_id
        from {{ ref(entry.base) }}
        where rejection_reason is null
        group by {{ entry.key }}
    ),

    {{ entry.source }}_records as (
        select
            staged.source_name,
            staged.record_key,
            staged.observed_at,
            staged.load_id,
            first_delivery.first_load_id,
            {% for marker_type in marker_types %}
                staged.marker_{{ marker_type }}{% if not loop.last %},{% endif %}
            {% endfor %}
        from {{ ref(entry.staged) }} as staged
        left join {{ entry.source }}_deliveries as first_delivery
            on staged.record_key = first_delivery.record_key
    ),
{% endfor %}

records as (
    {% for entry in sources %}
        select * from {{ entry.source }}_records
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

ledger as (
    select
        load_id,
        finished_at
    from {{ source('cdp_meta', 'load_ledger') }}
),

final as (
    select
        records.source_name,
        records.record_key,
        records.observed_at,
        records.load_id,
        coalesce(records.first_load_id, records.load_id) as first_load_id,
        coalesce(first_load.finished_at, latest_load.finished_at) as first_loaded_at,
        {% for marker_type in marker_types %}
            records.marker_{{ marker_type }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from records
    left join ledger as first_load
        on records.first_load_id = first_load.load_id
    left join ledger as latest_load
        on records.load_id = latest_load.load_id
)

select * from final
