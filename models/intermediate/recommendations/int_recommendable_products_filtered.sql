{#- The products that may be recommended on the as-of date: in the catalogue, not marked as no longer sold
    (is_active false; a product without the flag counts as sold) and launched on or before the as-of date. The
    catalogue keeps only the current flag, so a past as_of_date still uses today's discontinued flags. -#}
with

products as (
    select * from {{ ref('stg_catalog__products') }}
),

as_of as (
    select {{ cdp_as_of_date() }} as as_of_date
),

final as (
    select
        products.product_sku,
        products.product_name,
        products.category,
        products.brand
    from products
    inner join as_of
        on products.launched_on is null or products.launched_on <= as_of.as_of_date
    where products.is_active is null or products.is_active
)

select * from final
