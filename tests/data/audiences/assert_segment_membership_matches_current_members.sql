-- segment_membership is exactly the current evaluation of the segments (nothing lost or added by the history join),
-- and every current member has an open entry in the membership history.
with

members as (
    select
        customer_id,
        segment_name
    from {{ ref('int_audience_segment_members') }}
),

membership as (
    select
        customer_id,
        segment_name
    from {{ ref('segment_membership') }}
),

latest_changes as (
    select
        customer_id,
        segment_name,
        change_type,
        row_number() over (partition by customer_id, segment_name order by changed_at desc) as change_rank
    from {{ ref('int_audience_membership_history') }}
),

open_history as (
    select
        customer_id,
        segment_name
    from latest_changes
    where change_rank = 1 and change_type = 'entered'
),

missing as (
    select
        members.customer_id,
        members.segment_name,
        'in members, not in segment_membership' as problem
    from members
    left join membership
        on members.customer_id = membership.customer_id and members.segment_name = membership.segment_name
    where membership.customer_id is null
),

extra as (
    select
        membership.customer_id,
        membership.segment_name,
        'in segment_membership, not in members' as problem
    from membership
    left join members
        on membership.customer_id = members.customer_id and membership.segment_name = members.segment_name
    where members.customer_id is null
),

unrecorded as (
    select
        members.customer_id,
        members.segment_name,
        'current member without an open entry in the history' as problem
    from members
    left join open_history
        on members.customer_id = open_history.customer_id and members.segment_name = open_history.segment_name
    where open_history.customer_id is null
)

select * from missing
union all
select * from extra
union all
select * from unrecorded
