{#- History of segment membership, one row per entry into or exit from a segment, appended by every build: a
    customer who is a member now without an open entry enters; one with an open entry who is no longer a member
    exits. A stable membership costs one row however many builds run. Append-only, so it builds the same way on every
    engine (Spark's Parquet tables have no merge); it replaces the dbt snapshot, which needs merge. -#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

members as (
    select
        customer_id,
        segment_name,
        as_of_date
    from {{ ref('int_audience_segment_members') }}
),

{% if is_incremental() %}
latest_changes as (
    select
        customer_id,
        segment_name,
        change_type,
        as_of_date,
        row_number() over (partition by customer_id, segment_name order by changed_at desc) as change_rank
    from {{ this }}
),
{% endif %}

-- the memberships entered and not exited yet (none before the first build)
open_entries as (
    select
        customer_id,
        segment_name,
        as_of_date
    {% if is_incremental() %}
        from latest_changes
        where change_rank = 1 and change_type = 'entered'
    {% else %}
        from members
        where 1 = 0
    {% endif %}
),

entries as (
    select
        members.customer_id,
        members.segment_name,
        'entered' as change_type,
        members.as_of_date
    from members
    left join open_entries
        on
            members.customer_id = open_entries.customer_id
            and members.segment_name = open_entries.segment_name
    where open_entries.customer_id is null
),

exits as (
    -- as_of_date stays the entry's: the reference date the membership began on
    select
        open_entries.customer_id,
        open_entries.segment_name,
        'exited' as change_type,
        open_entries.as_of_date
    from open_entries
    left join members
        on
            open_entries.customer_id = members.customer_id
            and open_entries.segment_name = members.segment_name
    where members.customer_id is null
),

changes as (
    select * from entries
    union all
    select * from exits
),

final as (
    select
        customer_id,
        segment_name,
        change_type,
        as_of_date,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as changed_at,
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id
    from changes
)

select * from final
