{#- Every staged record of every person-bearing source with the customer it belongs to: the customer of its
    strongest identifier that has one (lowest priority number). Records without such an identifier have a null
    customer_id and unresolved_reason says why. has_conflicting_identifiers flags records whose identifiers ended
    in different profiles (a rule cut a link they carry); they follow their strongest identifier. -#}

with

records as (
    select
        source_name,
        record_key,
        observed_at
    from {{ ref('int_identity_source_records') }}
),

record_identifiers as (
    select
        markers.source_name,
        markers.record_key,
        assignments.identifier_id,
        assignments.identifier_type,
        assignments.priority,
        assignments.customer_id,
        assignments.is_blocked,
        assignments.is_linkable,
        case
            when assignments.customer_id is not null
                then
                    cast(assignments.priority as decimal(38, 0)) * 18446744073709551616
                    + cast(assignments.identifier_id as decimal(38, 0)) + 9223372036854775808
        end as strength_order
    from {{ ref('int_identity_record_markers') }} as markers
    inner join {{ ref('int_identity_assignments') }} as assignments
        on
            markers.identifier_type = assignments.identifier_type
            and markers.identifier_value = assignments.identifier_value
),

-- one pass per record, no window: min_by takes the customer (and its identifier type) of the row with the lowest
-- strength_order, i.e. the strongest identifier that has a customer (priority, then identifier id); rows without
-- a customer have no strength_order, and min_by skips them (DuckDB and Spark alike). The order is one exact
-- decimal, priority above a shifted identifier id, so ids of any sign keep their order.
summary as (
    select
        source_name,
        record_key,
        min_by(customer_id, strength_order) as customer_id,
        min_by(identifier_type, strength_order) as resolved_by_identifier_type,
        count(distinct customer_id) as customer_count,
        max(case when not is_blocked and is_linkable then 1 else 0 end) as has_linkable,
        max(case when not is_blocked and not is_linkable then 1 else 0 end) as has_statistical,
        max(case when is_blocked then 1 else 0 end) as has_blocked
    from record_identifiers
    group by source_name, record_key
),

final as (
    select
        records.source_name,
        records.record_key,
        records.observed_at,
        summary.customer_id,
        summary.resolved_by_identifier_type,
        case
            when summary.customer_id is not null then null
            when summary.has_linkable = 1 then 'only_unresolved_identifiers'
            when summary.has_statistical = 1 then 'only_statistical_identifiers'
            when summary.has_blocked = 1 then 'only_blocked_identifiers'
            else 'no_identifiers'
        end as unresolved_reason,
        coalesce(summary.customer_count, 0) > 1 as has_conflicting_identifiers
    from records
    left join summary
        on
            records.source_name = summary.source_name
            and records.record_key = summary.record_key
)

select * from final
