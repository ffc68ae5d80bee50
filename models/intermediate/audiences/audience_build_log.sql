{#- One row per build that recorded segment membership, appended after the snapshot ran, so
    segment_membership_changes can tell "since the previous build" even when the latest build changed nothing.
    recorded_at uses the snapshot's own clock (snapshot_get_time), so it compares with dbt_valid_from. -#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

history as (
    select * from {{ ref('segment_membership_snapshot') }}
),

final as (
    select
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as built_at,
        cast({{ snapshot_get_time() }} as timestamp) as recorded_at,
        count(*) as snapshot_row_count
    from history
)

select * from final
