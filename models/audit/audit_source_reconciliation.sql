{#- Where every raw row went, per source: staged, quarantined, or collapsed as a duplicate delivery. -#}
{%- set staged_sources = cdp_staged_sources() %}

with

quarantined as (
    select
        source_name,
        count(*) as quarantined_rows
    from {{ ref('audit_quarantined_rows') }}
    group by source_name
),

{% for staged in staged_sources %}
    counts_{{ staged.source }} as (
        select
            '{{ staged.source }}' as source_name,
            (select count(*) from {{ source(staged.system, staged.source) }}) as raw_rows,
            (select count(*) from {{ ref(staged.staged) }}) as staged_rows,
            (
                select count(*) from {{ ref(staged.base) }}
                where rejection_reason is null
            ) as valid_rows
    ),
{% endfor %}

unioned as (
    {% for staged in staged_sources %}
        select * from counts_{{ staged.source }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        unioned.source_name,
        unioned.raw_rows,
        unioned.staged_rows,
        coalesce(quarantined.quarantined_rows, 0) as quarantined_rows,
        -- every valid row not staged is an older or repeated delivery of a staged record
        unioned.valid_rows - unioned.staged_rows as duplicate_rows,
        -- raw = staged + quarantined + duplicates
        unioned.raw_rows = unioned.valid_rows + coalesce(quarantined.quarantined_rows, 0) as is_reconciled
    from unioned
    left join quarantined
        on unioned.source_name = quarantined.source_name
)

select * from final
