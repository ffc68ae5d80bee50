-- dim_customers has exactly one row for every customer_id of the identity record map, and no other row.
with

mapped as (
    select distinct customer_id
    from {{ ref('identity_record_map') }}
    where customer_id is not null
),

golden as (
    select
        customer_id,
        count(*) as row_count
    from {{ ref('dim_customers') }}
    group by customer_id
),

final as (
    select
        coalesce(mapped.customer_id, golden.customer_id) as customer_id,
        mapped.customer_id is null as is_extra,
        golden.customer_id is null as is_missing,
        coalesce(golden.row_count, 0) as row_count
    from mapped
    full outer join golden
        on mapped.customer_id = golden.customer_id
    where
        mapped.customer_id is null
        or golden.customer_id is null
        or golden.row_count <> 1
)

select * from final
