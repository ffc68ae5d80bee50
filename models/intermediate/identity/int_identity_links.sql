{#- Deterministic links: every distinct pair of usable, linkable identifiers seen together in one source record
    (identifier_id_a < identifier_id_b). link_priority is the larger priority number of the two ends (the weaker
    end): the level at which the link is considered. Statistical links (link_kind 'statistical', with a
    confidence) are left for a later stage; confidence is null for deterministic links. A delta build replaces the
    pairs the pending loads carry, recomputed from every signature that holds them (identity_delta). -#}
{{ config(materialized='identity_delta', delta_key=['identifier_id_a', 'identifier_id_b']) }}
-- depends_on: {{ ref('int_identity_batch') }}
{%- set is_delta = cdp_identity_is_delta() %}

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

all_record_identifiers as (
    select
        markers.signature_id,
        markers.first_load_id,
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

{% if is_delta %}
    -- the pairs of the pending loads' signatures, and every signature holding an identifier of theirs: the pairs are
    -- recomputed from those
    pending_identifiers as (
        select
            signature_id,
            identifier_id
        from all_record_identifiers
        where first_load_id in ({{ cdp_identity_pending_loads() }})
    ),

    touched_pairs as (
        select distinct
            end_a.identifier_id as identifier_id_a,
            end_b.identifier_id as identifier_id_b
        from pending_identifiers as end_a
        inner join pending_identifiers as end_b
            on
                end_a.signature_id = end_b.signature_id
                and end_a.identifier_id < end_b.identifier_id
    ),

    touched_identifiers as (
        select distinct identifier_id
        from pending_identifiers
    ),

    touched_signatures as (
        select distinct all_record_identifiers.signature_id
        from all_record_identifiers
        inner join touched_identifiers
            on all_record_identifiers.identifier_id = touched_identifiers.identifier_id
    ),

    record_identifiers as (
        select all_record_identifiers.*
        from all_record_identifiers
        inner join touched_signatures
            on all_record_identifiers.signature_id = touched_signatures.signature_id
    ),
{% else %}
    record_identifiers as (
        select * from all_record_identifiers
    ),
{% endif %}

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
    {% if is_delta %}
        inner join touched_pairs
            on
                end_a.identifier_id = touched_pairs.identifier_id_a
                and end_b.identifier_id = touched_pairs.identifier_id_b
    {% endif %}
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
