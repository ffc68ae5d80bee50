{#- One row per build that recorded segment membership, appended after the membership history, so
    segment_membership_changes can tell "since the previous build" even when the latest build changed nothing.
    recorded_at is the build's start, the clock of the history's changed_at. -#}
{{ config(materialized='incremental', incremental_strategy='append') }}

with

history as (
    select * from {{ ref('int_audience_membership_history') }}
),

final as (
    select
        cast('{{ invocation_id }}' as {{ dbt.type_string() }}) as invocation_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S") }}' as timestamp) as built_at,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as recorded_at,
        count(*) as history_row_count
    from history
)

select * from final
