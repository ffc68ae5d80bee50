-- Every staged record of the person-bearing sources (int_identity_source_records, a view over the staging models)
-- is in the record map, with or without a customer: the map is built from signatures and joined back to the
-- records by their markers, and this checks that join lost no record. The map's unique test says at most once.
with

records as (
    select
        source_name,
        record_key
    from {{ ref('int_identity_source_records') }}
),

record_map as (
    select
        source_name,
        record_key
    from {{ ref('identity_record_map') }}
),

missing as (
    select
        records.source_name,
        records.record_key
    from records
    left join record_map
        on
            records.source_name = record_map.source_name
            and records.record_key = record_map.record_key
    where record_map.record_key is null
)

select * from missing
