{#- Record signatures: the staged records of every person-bearing source (cdp_identity_person_sources) grouped by
    the identity markers they carry. Records with the same markers resolve alike, and a 1,000,000-customer warehouse
    has about four records per signature (every page view of a session repeats its cookie and IP address), so the
    identity stage works on signatures and only identity_record_map goes back to the records.

    One row per (source, markers, first load). The first load is the load of a record's first valid delivery (not
    the kept, newest one): a re-delivery never makes an identifier look younger and never moves a customer id. Only
    records delivered more than once need a look at their other deliveries. -#}
{%- set sources = cdp_identity_person_sources() -%}
{%- set marker_types = cdp_identity_marker_types() %}

with

ledger as (
    select
        load_id,
        finished_at
    from {{ source('cdp_meta', 'load_ledger') }}
),

records as (
    select * from {{ ref('int_identity_source_records') }}
),

{% for entry in sources %}
    {{ entry.source }}_base as (
        select * from {{ ref(entry.base) }}
    ),

    {{ entry.source }}_redelivered_keys as (
        select distinct {{ entry.key }} as record_key
        from {{ entry.source }}_base
        where rejection_reason is null and delivery_rank > 1
    ),

    -- the first delivery (earliest loaded_at, then load id) of the records delivered more than once; ISO
    -- timestamps sort as text
    {{ entry.source }}_redelivered as (
        select
            '{{ entry.source }}' as source_name,
            base.{{ entry.key }} as record_key,
            min_by(base.load_id, cast(base.loaded_at as {{ dbt.type_string() }}) || '|' || base.load_id)
                as first_load_id
        from {{ entry.source }}_base as base
        inner join {{ entry.source }}_redelivered_keys as redelivered_keys
            on base.{{ entry.key }} = redelivered_keys.record_key
        where base.rejection_reason is null
        group by base.{{ entry.key }}
    ),
{% endfor %}

redelivered as (
    {% for entry in sources %}
        select * from {{ entry.source }}_redelivered
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

signatures as (
    select
        records.source_name,
        coalesce(redelivered.first_load_id, records.load_id) as first_load_id,
        {% for marker_type in marker_types %}
            records.marker_{{ marker_type }},
        {% endfor %}
        count(*) as record_count,
        min(records.observed_at) as first_seen_at,
        max(records.observed_at) as last_seen_at,
        -- one record of the signature (the smallest key), the example links point to
        min(records.record_key) as example_record_key
    from records
    left join redelivered
        on records.source_name = redelivered.source_name and records.record_key = redelivered.record_key
    group by
        records.source_name,
        coalesce(redelivered.first_load_id, records.load_id),
        {% for marker_type in marker_types %}
            records.marker_{{ marker_type }}{% if not loop.last %},{% endif %}
        {% endfor %}
),

final as (
    select
        -- a row number, not a hash of ten text columns (11 s of CPU at 1,000,000 customers): the id only ties a
        -- signature's markers to it within one build
        {{ cdp_row_id() }} as signature_id,
        signatures.source_name,
        signatures.first_load_id,
        first_load.finished_at as first_loaded_at,
        {% for marker_type in marker_types %}
            signatures.marker_{{ marker_type }},
        {% endfor %}
        signatures.record_count,
        signatures.first_seen_at,
        signatures.last_seen_at,
        signatures.example_record_key
    from signatures
    left join ledger as first_load
        on signatures.first_load_id = first_load.load_id
)

select * from final
