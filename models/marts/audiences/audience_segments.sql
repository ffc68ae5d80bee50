{#- The catalogue of segments: one row per segment declared in _audiences__segments.yml, with its conditions as
    compiled SQL and its member count in this build. -#}

with

members as (
    select * from {{ ref('int_audience_segment_members') }}
),

declared as (
    {{ cdp_segment_catalogue(cdp_segment_declarations()) }}
),

member_counts as (
    select
        segment_name,
        count(*) as member_count
    from members
    group by segment_name
),

final as (
    select
        declared.segment_name,
        declared.description,
        declared.segment_owner,
        declared.condition_sql,
        declared.condition_count,
        coalesce(member_counts.member_count, 0) as member_count,
        -- Exports name the build by this time (also on segment_membership), so reruns give the same files.
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as built_at
    from declared
    left join member_counts
        on declared.segment_name = member_counts.segment_name
)

select * from final
