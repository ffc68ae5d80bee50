{#- Deterministic links: every distinct pair of usable, linkable identifiers seen together in one source record
    (identifier_id_a < identifier_id_b). link_priority is the larger priority number of the two ends (the weaker
    end): the level at which the link is considered. Statistical links (link_kind 'statistical', with a
    confidence) are left for a later stage; confidence is null for deterministic links. -#}

with

identifiers as (
    select
        identifier_id,
        identifier_type,
        identifier_value,
        rule_type,
        priority
    from {{ ref('int_identity_identifiers') }}
    where not is_blocked and is_linkable
),

record_identifiers as (
    select
        markers.signature_id,
        markers.source_name,
        markers.first_loaded_at,
        markers.record_count,
        markers.first_seen_at,
        markers.last_seen_at,
        identifiers.identifier_id,
        identifiers.rule_type,
        identifiers.priority
    from {{ ref('int_identity_signature_markers') }} as markers
    inner join identifiers
        on
            markers.identifier_type = identifiers.identifier_type
            and markers.identifier_value = identifiers.identifier_value
),

examples as (
    select
        signature_id,
        example_record_key
    from {{ ref('int_identity_signatures') }}
),

-- the records of a signature carry the same markers, so a pair of identifiers is linked by every record of every
-- signature that holds both
pairs as (
    select
        end_a.identifier_id as identifier_id_a,
        end_b.identifier_id as identifier_id_b,
        end_a.rule_type as rule_type_a,
        end_b.rule_type as rule_type_b,
        greatest(end_a.priority, end_b.priority) as link_priority,
        end_a.signature_id,
        end_a.source_name,
        end_a.record_count,
        end_a.first_seen_at,
        end_a.last_seen_at,
        end_a.first_loaded_at
    from record_identifiers as end_a
    inner join record_identifiers as end_b
        on
            end_a.signature_id = end_b.signature_id
            and end_a.identifier_id < end_b.identifier_id
),

-- one pass, no window over every pair: min_by (DuckDB and Spark alike) takes the example's fields from the first
-- signature carrying the pair in record_order (first seen, nulls last, then source and example record), unique per
-- pair, so the example is the same on every build
ordered as (
    select
        pairs.*,
        examples.example_record_key,
        {{ cdp_sort_key([
            'coalesce(pairs.first_seen_at, ' ~ cdp_far_future_timestamp() ~ ')',
            'pairs.source_name',
            'examples.example_record_key'
        ]) }} as record_order
    from pairs
    inner join examples
        on pairs.signature_id = examples.signature_id
),

final as (
    select
        identifier_id_a,
        identifier_id_b,
        min(rule_type_a) as rule_type_a,
        min(rule_type_b) as rule_type_b,
        min(link_priority) as link_priority,
        'deterministic' as link_kind,
        cast(null as double) as confidence,
        cast(sum(record_count) as bigint) as record_count,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        min(first_loaded_at) as first_loaded_at,
        min_by(source_name, record_order) as example_source_name,
        min_by(example_record_key, record_order) as example_record_key
    from ordered
    group by identifier_id_a, identifier_id_b
)

select * from final
