{#- Long format of the identity markers: one row per (record, marker) with a value. The rules that apply to a
    value (rule_type) are decided once per distinct identifier in int_identity_identifiers, not here on every
    record: a 1,000,000-customer warehouse has ten times more marker rows than identifiers. -#}
{%- set marker_types = cdp_identity_marker_types() %}

with

records as (
    select * from {{ ref('int_identity_source_records') }}
),

unpivoted as (
    {% for marker_type in marker_types %}
        select
            source_name,
            record_key,
            observed_at,
            first_loaded_at,
            '{{ marker_type }}' as identifier_type,
            marker_{{ marker_type }} as identifier_value
        from records
        where marker_{{ marker_type }} is not null and marker_{{ marker_type }} <> ''
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        source_name,
        record_key,
        observed_at,
        first_loaded_at,
        identifier_type,
        identifier_value
    from unpivoted
)

select * from final
