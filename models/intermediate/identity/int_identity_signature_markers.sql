{#- The markers of every record signature in long format: one row per (signature, marker) with a value. The rules
    that apply to a value (rule_type) are decided once per distinct identifier in int_identity_identifiers. A view:
    each of its three readers needs a few columns of it, and unpivoting the signatures again costs less than writing
    and reading a stored copy (16 s to write at 1,000,000 customers). -#}
{{ config(materialized='view') }}
{%- set marker_types = cdp_identity_marker_types() %}

with

signatures as (
    select * from {{ ref('int_identity_signatures') }}
),

unpivoted as (
    {% for marker_type in marker_types %}
        select
            signature_id,
            source_name,
            first_loaded_at,
            record_count,
            first_seen_at,
            last_seen_at,
            '{{ marker_type }}' as identifier_type,
            marker_{{ marker_type }} as identifier_value
        from signatures
        where marker_{{ marker_type }} is not null and marker_{{ marker_type }} <> ''
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select * from unpivoted
)

select * from final
