-- A source has one trust rank per attribute (or per '*'): a duplicate would make survivorship ambiguous.
with

trust as (
    select * from {{ ref('source_trust') }}
),

final as (
    select
        attribute_name,
        source_name,
        count(*) as row_count
    from trust
    group by attribute_name, source_name
    having count(*) > 1
)

select * from final
