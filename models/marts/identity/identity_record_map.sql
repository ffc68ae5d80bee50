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
        assignments.is_linkable
    from {{ ref('int_identity_record_markers') }} as markers
    inner join {{ ref('int_identity_assignments') }} as assignments
        on
            markers.identifier_type = assignments.identifier_type
            and markers.identifier_value = assignments.identifier_value
),

ranked as (
    select
        source_name,
        record_key,
        customer_id,
        identifier_type,
        row_number() over (
            partition by source_name, record_key
            order by priority asc, identifier_id asc
        ) as strength_rank
    from record_identifiers
    where customer_id is not null
),

summary as (
    select
        source_name,
        record_key,
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
        strongest.customer_id,
        strongest.identifier_type as resolved_by_identifier_type,
        case
            when strongest.customer_id is not null then null
            when summary.has_linkable = 1 then 'only_unresolved_identifiers'
            when summary.has_statistical = 1 then 'only_statistical_identifiers'
            when summary.has_blocked = 1 then 'only_blocked_identifiers'
            else 'no_identifiers'
        end as unresolved_reason,
        coalesce(summary.customer_count, 0) > 1 as has_conflicting_identifiers
    from records
    left join ranked as strongest
        on
            records.source_name = strongest.source_name
            and records.record_key = strongest.record_key
            and strongest.strength_rank = 1
    left join summary
        on
            records.source_name = summary.source_name
            and records.record_key = summary.record_key
)

select * from final
