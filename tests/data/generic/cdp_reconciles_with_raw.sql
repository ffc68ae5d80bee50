{#- Fails when the raw table's rows are not all accounted for:
    raw rows = staged rows + quarantined rows + duplicate deliveries. Each count is taken from its own relation; the
    duplicates are the valid base rows beyond one per record key (the key from the staged-source registry). -#}
{% test cdp_reconciles_with_raw(model, raw, base, source_name) %}
{%- set entries = cdp_staged_sources() | selectattr('source', 'equalto', source_name) | list -%}
{%- if entries | length != 1 -%}
    {{ exceptions.raise_compiler_error('cdp_reconciles_with_raw: ' ~ source_name ~ ' is not in cdp_staged_sources') }}
{%- endif %}

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
    select count(*) - count(distinct {{ entries[0].key }}) as row_count from {{ base }}
    where rejection_reason is null
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
