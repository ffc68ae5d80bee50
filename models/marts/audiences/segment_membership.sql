{#- Current segment membership: one row per (customer, segment), with since when the customer has been a member
    without interruption (the entry int_audience_membership_history recorded). -#}

with

members as (
    select * from {{ ref('int_audience_segment_members') }}
),

history as (
    select * from {{ ref('int_audience_membership_history') }}
),

latest_changes as (
    select
        customer_id,
        segment_name,
        change_type,
        as_of_date,
        changed_at,
        row_number() over (partition by customer_id, segment_name order by changed_at desc) as change_rank
    from history
),

open_entries as (
    select
        customer_id,
        segment_name,
        as_of_date as member_since_date,
        changed_at as member_since_at
    from latest_changes
    where change_rank = 1 and change_type = 'entered'
),

final as (
    select
        members.customer_id,
        members.segment_name,
        cast(open_entries.member_since_at as timestamp) as member_since_at,
        open_entries.member_since_date,
        members.as_of_date,
        -- The build's identity for exports: the same build gives the same export files, whatever the wall clock.
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as built_at
    from members
    left join open_entries
        on
            members.customer_id = open_entries.customer_id
            and members.segment_name = open_entries.segment_name
)

select * from final
