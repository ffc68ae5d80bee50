{#- Fails when the raw table's rows are not all accounted for:
    raw rows = staged rows + quarantined rows + duplicate deliveries. Each count is taken from its own relation. -#}
{% test cdp_reconciles_with_raw(model, raw, base, source_name) %}

with

raw_rows as (
    select count(*) as row_count from {{ raw }}
),

staged_rows as (
    select count(*) as row_count from {{ model }}
),

quarantined_rows as (
    select count(*) as row_count from {{ ref('audit_quarantined_rows') }}
    where source_name = '{{ source_name }}'
),

duplicate_rows as (
    select count(*) as row_count from {{ base }}
    where rejection_reason is null and delivery_rank > 1
),

final as (
    select
        raw_rows.row_count as raw_count,
        staged_rows.row_count as staged_count,
        quarantined_rows.row_count as quarantined_count,
        duplicate_rows.row_count as duplicate_count
    from raw_rows
    cross join staged_rows
    cross join quarantined_rows
    cross join duplicate_rows
)

select * from final
where raw_count <> staged_count + quarantined_count + duplicate_count

{% endtest %}
