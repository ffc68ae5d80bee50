{#- Entries into and exits from segments, one row per change int_audience_membership_history
    recorded. is_latest_change flags the changes
    recorded since the previous build (audience_build_log), so a marketer sees who entered or left since the last run;
    after a build that changed nothing, no change is flagged. -#}

with

history as (
    select * from {{ ref('int_audience_membership_history') }}
),

builds as (
    select * from {{ ref('audience_build_log') }}
),

ranked_builds as (
    select
        recorded_at,
        row_number() over (order by recorded_at desc) as build_rank
    from builds
),

previous_build as (
    select max(recorded_at) as recorded_at
    from ranked_builds
    where build_rank = 2
),

changes as (
    select
        customer_id,
        segment_name,
        change_type,
        changed_at
    from history
),

final as (
    select
        changes.customer_id,
        changes.segment_name,
        changes.change_type,
        changes.changed_at,
        coalesce(changes.changed_at > previous_build.recorded_at, true) as is_latest_change
    from changes
    cross join previous_build
)

select * from final
