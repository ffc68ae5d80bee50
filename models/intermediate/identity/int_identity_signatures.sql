{#- Record signatures: the staged records of every person-bearing source (cdp_identity_person_sources) grouped by the
    identity markers they carry. Records with the same markers resolve alike, and a 1,000,000-customer warehouse has
    about four records per signature (every page view of a session repeats its cookie and IP address), so the identity
    stage works on signatures and only identity_record_map goes back to the records.

    One row per (source, markers, first load), with the key of the markers that staging computes
    (identity_signature_key), by which identity_record_map finds each record's signature. Grouped by the markers
    themselves: at 1,000,000 customers that is as fast as grouping by the key and taking the markers' values. The
    first load is the load of a record's first valid delivery (not the kept, newest one): a re-delivery never makes an
    identifier look younger and never moves a customer id. Only records delivered more than once need a look at their
    other deliveries. Each source is grouped by the markers its registry entry declares (cdp_staged_sources;
    cdp_identity_markers enforces them), not by all ten. -#}
{%- set sources = cdp_identity_person_sources() -%}
{%- set marker_types = cdp_identity_marker_types() -%}

with

ledger as (
    select
        load_id,
        finished_at
    from {{ source('cdp_meta', 'load_ledger') }}
),

{% for entry in sources %}
    {%- set carried = cdp_identity_source_marker_types(entry.source) %}
    {{ entry.source }}_staged as (
        select * from {{ ref(entry.staged) }}
    ),

    -- inlined (cdp_inline_cte): two CTEs read it, and DuckDB would otherwise store every base row first
    {{ entry.source }}_base as {{ cdp_inline_cte() }} (
        select * from {{ ref(entry.base) }}
    ),

    {{ entry.source }}_redelivered_keys as (
        select {{ entry.key }} as record_key
        from {{ entry.source }}_base
        where rejection_reason is null
        group by {{ entry.key }}
        having count(*) > 1
    ),

    -- the first delivery (earliest loaded_at, then load id) of the records delivered more than once
    {{ entry.source }}_redelivered as (
        select
            base.{{ entry.key }} as record_key,
            min_by(base.load_id, {{ cdp_sort_key(['base.loaded_at', 'base.load_id']) }}) as first_load_id
        from {{ entry.source }}_base as base
        inner join {{ entry.source }}_redelivered_keys as redelivered_keys
            on base.{{ entry.key }} = redelivered_keys.record_key
        where base.rejection_reason is null
        group by base.{{ entry.key }}
    ),

    {{ entry.source }}_signatures as (
        select
            {{ cdp_identity_literal(entry.source) }} as source_name,
            coalesce(redelivered.first_load_id, staged.load_id) as first_load_id,
            -- a function of the markers: one value per group
            min(staged.identity_signature_key) as identity_signature_key,
            {% for marker_type in marker_types %}
                {% if marker_type in carried %}
                    staged.marker_{{ marker_type }},
                {% else %}
                    cast(null as {{ dbt.type_string() }}) as marker_{{ marker_type }},
                {% endif %}
            {% endfor %}
            count(*) as record_count,
            min(staged.observed_at) as first_seen_at,
            max(staged.observed_at) as last_seen_at,
            -- one record of the signature (the smallest key), the example links point to
            min(staged.record_key) as example_record_key
        from {{ entry.source }}_staged as staged
        left join {{ entry.source }}_redelivered as redelivered
            on staged.record_key = redelivered.record_key
        group by
            {% for marker_type in carried %}
                staged.marker_{{ marker_type }},
            {% endfor %}
            coalesce(redelivered.first_load_id, staged.load_id)
    ),
{% endfor %}

signatures as (
    {% for entry in sources %}
        select * from {{ entry.source }}_signatures
        {% if not loop.last %}union all{% endif %}
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
        signatures.identity_signature_key,
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
