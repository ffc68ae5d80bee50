{#- One row per erasure (cdp forget): when, how the person was found, their hashed identifiers and the rows
    removed per table. Holds no personal data: the runner writes hashes and counts only. -#}
with

erasure_log as (
    select * from {{ source('cdp_erasure', 'erasure_log') }}
),

final as (
    select
        erasure_id,
        erased_at,
        matched_by as matched_identifier_type,
        identifier_count,
        record_count,
        rows_removed_total,
        identifier_hashes,
        rows_removed as rows_removed_by_table
    from erasure_log
)

select * from final
