{#- Long format of the identity markers: one row per (record, marker) with a value. rule_type is the row of
    identifier_types whose rules apply: the marker type, or a refinement of it chosen by pattern
    (identifier_type_refinements, e.g. fixed-line phones -> landline_phone). -#}
{%- set marker_types = cdp_identity_marker_types() -%}
{%- set refinements = cdp_identity_seed_rows(
    ref('identifier_type_refinements'), ['identifier_type', 'pattern', 'rule_type'], 'identifier_type, rule_type, pattern'
) %}

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
        identifier_value,
        {% if refinements | length == 0 %}
            identifier_type as rule_type
        {% else %}
            case
                {% for refinement in refinements %}
                    when
                        identifier_type = {{ cdp_identity_literal(refinement.identifier_type) }}
                        and {{ cdp_regexp_like('identifier_value', cdp_identity_checked_pattern(
                            refinement.pattern, 'identifier_type_refinements')) }}
                        then {{ cdp_identity_literal(refinement.rule_type) }}
                {% endfor %}
                else identifier_type
            end as rule_type
        {% endif %}
    from unpivoted
)

select * from final
