with

source as (
    select * from {{ source('catalog', 'products') }}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('product_sku') }} as product_sku,
        {{ cdp_clean_string('product_name') }} as product_name,
        {{ cdp_clean_string('category') }} as category,
        {{ cdp_clean_string('subcategory') }} as subcategory,
        {{ cdp_clean_string('brand') }} as brand,
        {{ cdp_parse_decimal('list_price') }} as list_price,
        {{ cdp_clean_string('list_price') }} as list_price_delivered,
        {{ cdp_parse_decimal('unit_cost') }} as unit_cost,
        {{ cdp_clean_string('unit_cost') }} as unit_cost_delivered,
        {{ cdp_parse_currency_code('currency') }} as currency,
        {{ cdp_clean_string('currency') }} as currency_delivered,
        {{ cdp_parse_boolean('is_active') }} as is_active,
        {{ cdp_clean_string('is_active') }} as is_active_delivered,
        {{ cdp_parse_date('launched_on') }} as launched_on,
        {{ cdp_clean_string('launched_on') }} as launched_on_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('product_sku') }}
            {{ cdp_missing('product_name') }}
        end as rejection_reason
    from typed
),

final as (
    select
        *,
        {{ cdp_delivery_rank('product_sku') }} as delivery_rank
    from checked
)

select * from final
