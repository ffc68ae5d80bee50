{#- Product traits per customer as of the build's reference date (see customer_traits): distinct products viewed,
    carted and bought, units bought, and the favourite and top three categories and brands (most units bought, then
    most views and carts, then most recent, then name) with the favourite brand's share of the units. One row per
    customer with product activity up to the end of the as-of date. -#}
with

product_activity as {{ cdp_inline_cte() }} (
    select * from {{ cdp_up_to_as_of_date(ref('int_customer_product_activity'), 'occurred_at') }}
),

-- one row per customer, activity and product first: three distinct counts per customer cost more (the view at
-- 1,000,000 customers: 15.6-16.2 s against 13.5-13.9 s)
customer_products as (
    select
        customer_id,
        activity,
        product_sku,
        sum(case when activity = 'purchase' then quantity else 0 end) as units_bought
    from product_activity
    group by customer_id, activity, product_sku
),

products as (
    select
        customer_id,
        count(case when activity = 'view' and product_sku is not null then 1 end) as products_viewed_count,
        count(case when activity = 'cart' and product_sku is not null then 1 end) as products_carted_count,
        count(case when activity = 'purchase' and product_sku is not null then 1 end) as products_bought_count,
        cast(sum(units_bought) as bigint) as units_bought
    from customer_products
    group by customer_id
),

-- favourite category and brand: most units bought, then most views and carts, then most recent, then name; the top
-- three in that order; the favourite's share of the units
{% for dimension, plural in [('category', 'categories'), ('brand', 'brands')] %}
    {{ dimension }}_scores as (
        select
            customer_id,
            {{ dimension }},
            sum(case when activity = 'purchase' then quantity else 0 end) as units_bought,
            count(case when activity in ('view', 'cart') then 1 end) as browse_count,
            max(occurred_at) as last_activity_at
        from product_activity
        where {{ dimension }} is not null
        group by customer_id, {{ dimension }}
    ),

    {{ dimension }}_ranked as (
        select
            *,
            row_number() over (
                partition by customer_id
                order by
                    units_bought desc, browse_count desc, last_activity_at desc nulls last, {{ dimension }} asc
            ) as item_rank,
            sum(units_bought) over (partition by customer_id) as all_units
        from {{ dimension }}_scores
    ),

    {{ plural }} as (
        select
            customer_id,
            max(case when item_rank = 1 then {{ dimension }} end) as favourite_{{ dimension }},
            max(case when item_rank = 1 then {{ dimension }} end)
            || coalesce(', ' || max(case when item_rank = 2 then {{ dimension }} end), '')
            || coalesce(', ' || max(case when item_rank = 3 then {{ dimension }} end), '') as top_{{ plural }},
            max(case
                when item_rank = 1 and all_units > 0
                    then cast(units_bought as decimal(18, 4)) / all_units
            end) as favourite_share
        from {{ dimension }}_ranked
        where item_rank <= 3
        group by customer_id
    ),
{% endfor %}

final as (
    select
        products.customer_id,
        products.products_viewed_count,
        products.products_carted_count,
        products.products_bought_count,
        products.units_bought,
        categories.favourite_category,
        categories.top_categories,
        brands.favourite_brand,
        brands.top_brands,
        cast(brands.favourite_share as decimal(5, 4)) as brand_loyalty_share
    from products
    left join categories
        on products.customer_id = categories.customer_id
    left join brands
        on products.customer_id = brands.customer_id
)

select * from final
