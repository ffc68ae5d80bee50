-- Every recommended product is in the catalogue, not marked as no longer sold, and launched by the as-of date.
-- It reads the catalogue staging model itself, not the model that filters it.
with

recommendations as (
    select * from {{ ref('customer_recommendations') }}
),

products as (
    select * from {{ ref('stg_catalog__products') }}
),

final as (
    select
        recommendations.customer_id,
        recommendations.product_sku,
        products.is_active,
        products.launched_on
    from recommendations
    left join products
        on recommendations.product_sku = products.product_sku
    where
        products.product_sku is null
        or products.is_active = false
        or products.launched_on > recommendations.as_of_date
)

select * from final
