{{ config(**cdp_staging_config('store_id', 'base_pos__stores')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_pos__stores') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'store_id') }}
),

final as (
    select
        store_id,
        store_name,
        city,
        postcode,
        country_code,
        opened_on,
        closed_on,
        closed_on is not null as is_closed,
        load_id,
        source_row_number
    from latest_delivery
)

select * from final
