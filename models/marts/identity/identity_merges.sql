{#- Merges between builds: a customer id that disappeared because its identifiers now belong to another customer
    id that existed before (the surviving, older profile). One row per (merged, surviving) pair and build, with the
    link that caused it: the most recently loaded link between an identifier of the merged profile and one that
    was not in it, both now in the surviving profile, and a source record that carries the link (a statistical link:
    the person record of its later end). Appended by every build that merges; never rebuilt by --full-refresh. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='fail'
) }}

with

log as (
    select
        identifier_type,
        identifier_value,
        customer_id,
        previous_customer_id,
        changed_at,
        invocation_id
    from {{ ref('int_identity_assignment_log') }}
),

identifiers as (
    select
        identifier_id,
        identifier_type,
        identifier_value,
        customer_id
    from {{ ref('int_identity_assignments') }}
),

this_build as (
    select * from log
    where invocation_id = '{{ invocation_id }}'
),

-- the latest earlier row per identifier (one build appends at most one row per identifier, so changed_at orders
-- them); a null customer is carried as '' because max_by skips null values on some engines
earlier as (
    select
        log.identifier_type,
        log.identifier_value,
        nullif(max_by(coalesce(log.customer_id, ''), log.changed_at), '') as customer_id
    from log
    where log.invocation_id <> '{{ invocation_id }}'
    group by log.identifier_type, log.identifier_value
),

previous_members as (
    select
        identifiers.identifier_id,
        earlier.customer_id
    from earlier
    inner join identifiers
        on
            earlier.identifier_type = identifiers.identifier_type
            and earlier.identifier_value = identifiers.identifier_value
    where earlier.customer_id is not null
),

previous_customers as (
    select distinct customer_id
    from earlier
    where customer_id is not null
),

current_customers as (
    select distinct customer_id
    from identifiers
    where customer_id is not null
),

merged_pairs as (
    select distinct
        this_build.previous_customer_id as merged_customer_id,
        this_build.customer_id as surviving_customer_id,
        this_build.changed_at as merged_at
    from this_build
    inner join previous_customers
        on this_build.customer_id = previous_customers.customer_id
    left join current_customers
        on this_build.previous_customer_id = current_customers.customer_id
    where
        this_build.previous_customer_id is not null
        and this_build.customer_id is not null
        and current_customers.customer_id is null
),

deterministic_links as (
    select
        identifier_id_a,
        identifier_id_b,
        first_loaded_at,
        first_seen_at,
        example_source_name,
        example_record_key,
        'deterministic' as link_kind
    from {{ ref('int_identity_links') }}
),

-- the statistical links that built profiles, when they were first possible (the later end's first load), with the
-- person record of the later end (loaded, then seen, later) as the example (none for behaviour links)
statistical_link_ends as (
    select
        links.identifier_id_a,
        links.identifier_id_b,
        end_a.first_loaded_at as first_loaded_at_a,
        end_b.first_loaded_at as first_loaded_at_b,
        end_a.first_seen_at as first_seen_at_a,
        end_b.first_seen_at as first_seen_at_b,
        coalesce(
            end_a.first_loaded_at > end_b.first_loaded_at
            or (end_a.first_loaded_at = end_b.first_loaded_at and end_a.first_seen_at > end_b.first_seen_at),
            false
        ) as is_a_later
    from {{ ref('int_identity_statistical_links') }} as links
    inner join {{ ref('int_identity_identifiers') }} as end_a
        on links.identifier_id_a = end_a.identifier_id
    inner join {{ ref('int_identity_identifiers') }} as end_b
        on links.identifier_id_b = end_b.identifier_id
    where links.is_above_threshold and not links.is_confirmed
),

statistical_links as (
    select
        ends.identifier_id_a,
        ends.identifier_id_b,
        case when ends.is_a_later then ends.first_loaded_at_a else ends.first_loaded_at_b end as first_loaded_at,
        case when ends.is_a_later then ends.first_seen_at_a else ends.first_seen_at_b end as first_seen_at,
        case when ends.is_a_later then records_a.source_name else records_b.source_name end as example_source_name,
        case when ends.is_a_later then records_a.record_key else records_b.record_key end as example_record_key,
        'statistical' as link_kind
    from statistical_link_ends as ends
    left join {{ ref('int_identity_person_records') }} as records_a
        on ends.identifier_id_a = records_a.identifier_id
    left join {{ ref('int_identity_person_records') }} as records_b
        on ends.identifier_id_b = records_b.identifier_id
),

links as (
    select * from deterministic_links
    union all
    select * from statistical_links
),

oriented_links as (
    select
        identifier_id_a as inner_id,
        identifier_id_b as outer_id,
        first_loaded_at,
        first_seen_at,
        example_source_name,
        example_record_key,
        link_kind
    from links
    union all
    select
        identifier_id_b as inner_id,
        identifier_id_a as outer_id,
        first_loaded_at,
        first_seen_at,
        example_source_name,
        example_record_key,
        link_kind
    from links
),

causes as (
    select
        merged_pairs.merged_customer_id,
        merged_pairs.surviving_customer_id,
        inner_end.identifier_type,
        inner_end.identifier_value,
        outer_end.identifier_type as other_identifier_type,
        outer_end.identifier_value as other_identifier_value,
        oriented_links.example_source_name,
        oriented_links.example_record_key,
        oriented_links.link_kind,
        row_number() over (
            partition by merged_pairs.merged_customer_id, merged_pairs.surviving_customer_id
            order by
                oriented_links.first_loaded_at desc nulls last,
                oriented_links.first_seen_at desc nulls last,
                oriented_links.example_source_name asc,
                oriented_links.example_record_key asc,
                -- by text, not identifier_id: the id is a hash that differs between engines
                inner_end.identifier_type asc,
                inner_end.identifier_value asc,
                outer_end.identifier_type asc,
                outer_end.identifier_value asc
        ) as cause_rank
    from merged_pairs
    inner join previous_members as inner_previous
        on merged_pairs.merged_customer_id = inner_previous.customer_id
    inner join oriented_links
        on inner_previous.identifier_id = oriented_links.inner_id
    inner join identifiers as inner_end
        on oriented_links.inner_id = inner_end.identifier_id
    inner join identifiers as outer_end
        on oriented_links.outer_id = outer_end.identifier_id
    left join previous_members as outer_previous
        on oriented_links.outer_id = outer_previous.identifier_id
    where
        inner_end.customer_id = merged_pairs.surviving_customer_id
        and outer_end.customer_id = merged_pairs.surviving_customer_id
        and (outer_previous.customer_id is null or outer_previous.customer_id <> merged_pairs.merged_customer_id)
),

final as (
    select
        merged_pairs.merged_customer_id,
        merged_pairs.surviving_customer_id,
        merged_pairs.merged_at,
        case
            when causes.merged_customer_id is null then 'manual_override_or_rule_change'
            when causes.link_kind = 'statistical' then 'statistical_link'
            else 'link'
        end as merge_cause,
        causes.identifier_type as link_identifier_type,
        causes.identifier_value as link_identifier_value,
        causes.other_identifier_type as link_other_identifier_type,
        causes.other_identifier_value as link_other_identifier_value,
        causes.example_source_name as link_source_name,
        causes.example_record_key as link_record_key,
        '{{ invocation_id }}' as invocation_id
    from merged_pairs
    left join causes
        on
            merged_pairs.merged_customer_id = causes.merged_customer_id
            and merged_pairs.surviving_customer_id = causes.surviving_customer_id
            and causes.cause_rank = 1
)

select * from final
