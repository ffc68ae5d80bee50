{#- One row per identifier (identifier_type, identifier_value) seen in any person-bearing record, with its id,
    when and where it was seen, the rules of its type and whether it is blocked (identifier_blocklist, or a pattern
    of identifier_block_patterns for its type or for every type). -#}
{%- set patterns = cdp_identity_seed_rows(
    ref('identifier_block_patterns'), ['identifier_type', 'pattern', 'reason'], 'identifier_type, pattern'
) -%}
{%- set sources = cdp_identity_person_sources() -%}
{%- if sources | length > 62 -%}
    {{ exceptions.raise_compiler_error("int_identity_identifiers: source_bits holds at most 62 person sources") }}
{%- endif -%}
{%- set far_future = cdp_far_future_timestamp() -%}
{%- set refinements = cdp_identity_seed_rows(
    ref('identifier_type_refinements'), ['identifier_type', 'pattern', 'rule_type'], 'identifier_type, rule_type, pattern'
) -%}

with

markers as (
    select * from {{ ref('int_identity_signature_markers') }}
),

-- per identifier and load first: an identifier comes in few loads, so the per-identifier step below runs on far
-- fewer rows than there are signature markers. The sources that carried it are kept as bits (one per person source,
-- in registry order), so counting them needs no distinct count.
per_load as (
    select
        identifier_type,
        identifier_value,
        first_loaded_at,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        sum(record_count) as record_count,
        bit_or(
            case source_name
                {% for entry in sources %}
                    when {{ cdp_identity_literal(entry.source) }} then cast({{ 2 ** loop.index0 }} as bigint)
                {% endfor %}
            end
        ) as source_bits
    from markers
    group by identifier_type, identifier_value, first_loaded_at
),

-- anchor_seen_at: first seen within the identifier's first load (its per_load row with the earliest
-- first_loaded_at; a null first_seen_at travels as a far-future stand-in because min_by skips null values)
seen as (
    select
        identifier_type,
        identifier_value,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        min(first_loaded_at) as first_loaded_at,
        nullif(
            min_by(coalesce(first_seen_at, {{ far_future }}), first_loaded_at), {{ far_future }}
        ) as anchor_seen_at,
        cast(sum(record_count) as bigint) as record_count,
        cast(bit_count(bit_or(source_bits)) as bigint) as source_count
    from per_load
    group by identifier_type, identifier_value
),

-- the row of identifier_types whose rules apply: the marker type, or a refinement of it chosen by pattern
-- (identifier_type_refinements, e.g. fixed-line phones -> landline_phone)
refined as (
    select
        *,
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
    from seen
),

rules as (
    select
        identifier_type as rule_type,
        kind,
        priority,
        is_linkable
    from {{ ref('identifier_types') }}
),

blocklist as (
    select
        identifier_type,
        identifier_value,
        min(reason) as reason
    from {{ ref('identifier_blocklist') }}
    group by identifier_type, identifier_value
),

checked as (
    select
        seen.identifier_type,
        seen.identifier_value,
        seen.rule_type,
        rules.kind,
        rules.priority,
        coalesce(rules.is_linkable, false) as is_linkable,
        seen.first_seen_at,
        seen.last_seen_at,
        seen.first_loaded_at,
        seen.anchor_seen_at,
        seen.record_count,
        seen.source_count,
        case
            when blocklist.identifier_value is not null then 'blocklist: ' || blocklist.reason
            {%- for row in patterns %}
                {% if row.identifier_type == '*' %}
                    when {{ cdp_regexp_like('seen.identifier_value', cdp_identity_checked_pattern(
                        row.pattern, 'identifier_block_patterns')) }}
                        then {{ cdp_identity_literal('pattern: ' ~ row.reason) }}
                {% else %}
                    when
                        seen.identifier_type = {{ cdp_identity_literal(row.identifier_type) }}
                        and {{ cdp_regexp_like('seen.identifier_value', cdp_identity_checked_pattern(
                            row.pattern, 'identifier_block_patterns')) }}
                        then {{ cdp_identity_literal('pattern: ' ~ row.reason) }}
                {% endif %}
            {% endfor %}
        end as block_reason
    from refined as seen
    left join rules
        on seen.rule_type = rules.rule_type
    left join blocklist
        on
            seen.identifier_type = blocklist.identifier_type
            and seen.identifier_value = blocklist.identifier_value
),

final as (
    select
        {{ cdp_identity_hash("identifier_type || ':' || identifier_value") }} as identifier_id,
        identifier_type,
        identifier_value,
        rule_type,
        kind,
        priority,
        is_linkable,
        first_seen_at,
        last_seen_at,
        first_loaded_at,
        anchor_seen_at,
        record_count,
        source_count,
        block_reason is not null as is_blocked,
        block_reason
    from checked
)

select * from final
