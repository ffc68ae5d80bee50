{{ config(
    on_schema_change='fail',
    pre_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_undelivered(this, ref('base_pos__stores')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_key_config('store_id')
) }}

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
