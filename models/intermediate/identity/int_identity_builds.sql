{#- One row per build of the identity stage and per load it took in (load_id null: the build's own row): how it
    built (build_mode, full_reason) and the fingerprint and erasure count int_identity_batch compares the next build
    against. Written last (it depends on the stage's outputs), so a build that fails half-way takes no load in and
    the next build does its delta again. Never rebuilt by --full-refresh: it is the stage's memory. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='fail'
) }}
-- depends_on: {{ ref('identity_record_map') }}
-- depends_on: {{ ref('identity_merges') }}
-- depends_on: {{ ref('int_identity_assignment_log') }}

with

batch as (
    select * from {{ ref('int_identity_batch') }}
),

build as (
    select
        max(build_mode) as build_mode,
        max(full_reason) as full_reason,
        max(fingerprint) as fingerprint,
        max(erasure_count) as erasure_count
    from batch
),

taken_in as (
    select
        cast(null as {{ dbt.type_string() }}) as load_id,
        build_mode,
        full_reason,
        fingerprint,
        erasure_count
    from build
    union all
    select
        batch.load_id,
        batch.build_mode,
        batch.full_reason,
        batch.fingerprint,
        batch.erasure_count
    from batch
    where batch.is_pending
),

final as (
    select
        '{{ invocation_id }}' as invocation_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as built_at,
        load_id,
        coalesce(build_mode, 'full') as build_mode,
        full_reason,
        fingerprint,
        coalesce(erasure_count, 0) as erasure_count
    from taken_in
)

select * from final
