{#- The top products to recommend to each customer, as of the build's reference date.
    A customer's anchors are the products they bought (up to var('recommendations_anchor_products') most recently
    bought) and the products they viewed or carted online (as many, most recently viewed). Each anchor contributes
    the lift of its strongest associations in product_affinity with a product on sale (at most
    var('recommendations_rules_per_product') per product, lift above var('recommendations_min_lift')): co_purchase
    rules (same basket, all channels) for bought anchors, co_view rules (same browsing session) for viewed anchors,
    the latter weighted by var('recommendations_co_view_weight'). A product's score is the sum of the
    contributions; products the customer already bought and products not on sale are left out; the top
    var('recommendations_per_customer') are kept. Lifts are summed as whole millionths (bigint), which is exact
    and fast, so a rebuild gives the same scores and the same order whatever order the engine adds them in; ties go
    to the product SKU in alphabetical order. The candidates (about 125 M at 1,000,000 customers) are summed and
    ranked under whole-number stand-ins for the customer id and the SKU, numbered in this query: grouping and sorting
    on them costs a quarter less than on the text. The numbers are integers and the sums bigint (DuckDB sums bigint
    into a 128-bit hugeint): the 124 M summed rows then fit in memory, and the query took 52-56 s alone against
    70-80 s, with the same rows. -#}
{%- set per_customer = var('recommendations_per_customer') -%}
{%- set rules_per_product = var('recommendations_rules_per_product') -%}
{%- set anchor_products = var('recommendations_anchor_products') -%}
{%- set co_view_weight = var('recommendations_co_view_weight') -%}
{%- set min_lift = var('recommendations_min_lift') -%}
{%- for name, value in [
    ('recommendations_per_customer', per_customer),
    ('recommendations_rules_per_product', rules_per_product),
    ('recommendations_anchor_products', anchor_products),
] -%}
    {%- if value is not integer or value < 1 -%}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a whole number >= 1, got '" ~ value ~ "'") }}
    {%- endif -%}
{%- endfor -%}
{%- if co_view_weight is not number or co_view_weight < 0 or min_lift is not number or min_lift < 0 -%}
    {{ exceptions.raise_compiler_error(
        "vars recommendations_co_view_weight and recommendations_min_lift must be numbers >= 0, got '"
        ~ co_view_weight ~ "' and '" ~ min_lift ~ "'") }}
{%- endif -%}

with

-- inlined (cdp_inline_cte): stored once, every activity row cost 10% more (5.4 against 4.9 s at 100,000 customers)
activity as {{ cdp_inline_cte() }} (
    select * from {{ ref('int_customer_product_activity') }}
),

affinity as (
    select * from {{ ref('product_affinity') }}
),

on_sale as (
    select * from {{ ref('int_recommendable_products_filtered') }}
),

-- numbered in SKU order, so ranking ties broken by number are broken by SKU
product_numbers as (
    select
        product_sku,
        cast(row_number() over (order by product_sku) as integer) as product_number
    from on_sale
),

as_of as (
    select
        as_of_date,
        {{ dbt.dateadd('day', 1, 'as_of_date') }} as window_end
    from (select {{ cdp_as_of_date() }} as as_of_date) as reference_date
),

-- the strongest associations of each product: same-basket co-purchase over all channels, same-session co-view
-- (products not on sale are dropped first, so they never take the place of one that is)
rules as (
    select
        affinity.association_type,
        affinity.antecedent_key,
        affinity.consequent_key,
        affinity.lift,
        row_number() over (
            partition by affinity.association_type, affinity.antecedent_key
            order by affinity.lift desc, affinity.pair_basket_count desc, affinity.consequent_key asc
        ) as rule_rank
    from affinity
    inner join on_sale
        on affinity.consequent_key = on_sale.product_sku
    where
        affinity.affinity_level = 'product'
        and affinity.lift > {{ min_lift }}
        and (
            (affinity.association_type = 'co_purchase' and affinity.channel = 'all')
            or (affinity.association_type = 'co_view' and affinity.channel = 'online')
        )
),

strongest_rules as (
    select
        rules.association_type,
        rules.antecedent_key,
        product_numbers.product_number as consequent_number,
        -- in whole millionths: integer sums are exact (a rebuild adds up to the same score) and cheap
        cast(
            round(
                rules.lift * (case when rules.association_type = 'co_view' then {{ co_view_weight }} else 1 end)
                * 1000000
            )
            as bigint
        ) as weighted_lift_millionths
    from rules
    inner join product_numbers
        on rules.consequent_key = product_numbers.product_sku
    where rules.rule_rank <= {{ rules_per_product }}
),

-- what each customer did up to the end of the as-of date
customer_activity as {{ cdp_inline_cte() }} (
    select activity.*
    from activity
    inner join as_of
        on activity.occurred_at < as_of.window_end
    where activity.product_sku is not null
),

anchor_products as (
    select
        customer_id,
        product_sku,
        case when activity = 'purchase' then 'co_purchase' else 'co_view' end as association_type,
        max(occurred_at) as last_occurred_at
    from customer_activity
    group by customer_id, product_sku, case when activity = 'purchase' then 'co_purchase' else 'co_view' end
),

-- numbered in customer_id order, not with cdp_row_id: three CTEs read these numbers, and an engine that inlines the
-- CTE must give every read the same ones
customer_numbers as (
    select
        customer_id,
        cast(row_number() over (order by customer_id) as integer) as customer_number
    from (select distinct customer_id from anchor_products) as customers
),

ranked_anchors as (
    select
        anchor_products.*,
        customer_numbers.customer_number,
        row_number() over (
            partition by anchor_products.customer_id, anchor_products.association_type
            order by anchor_products.last_occurred_at desc, anchor_products.product_sku asc
        ) as anchor_rank
    from anchor_products
    inner join customer_numbers
        on anchor_products.customer_id = customer_numbers.customer_id
),

-- (products not on sale are never candidates, so they are left out here)
bought as (
    select distinct
        customer_numbers.customer_number,
        product_numbers.product_number
    from customer_activity
    inner join customer_numbers
        on customer_activity.customer_id = customer_numbers.customer_id
    inner join product_numbers
        on customer_activity.product_sku = product_numbers.product_sku
    where customer_activity.activity = 'purchase'
),

contributions as (
    select
        ranked_anchors.customer_number,
        strongest_rules.consequent_number as product_number,
        strongest_rules.association_type,
        strongest_rules.weighted_lift_millionths
    from ranked_anchors
    inner join strongest_rules
        on
            ranked_anchors.association_type = strongest_rules.association_type
            and ranked_anchors.product_sku = strongest_rules.antecedent_key
    where ranked_anchors.anchor_rank <= {{ anchor_products }}
),

scored as (
    select
        customer_number,
        product_number,
        cast(sum(weighted_lift_millionths) as bigint) as score_millionths,
        cast(
            sum(case when association_type = 'co_purchase' then weighted_lift_millionths else 0 end) as bigint
        ) as co_purchase_score_millionths,
        cast(count(*) as integer) as association_count
    from contributions
    group by customer_number, product_number
),

-- (rules only lead to products on sale, so only what the customer bought is left to take out)
eligible as (
    select scored.*
    from scored
    left join bought
        on
            scored.customer_number = bought.customer_number
            and scored.product_number = bought.product_number
    where bought.product_number is null
),

-- ranked on narrow rows; names are added to the top N only
ranked as (
    select
        eligible.*,
        row_number()
            over (
                partition by eligible.customer_number
                order by eligible.score_millionths desc, eligible.product_number asc
            )
            as recommendation_rank
    from eligible
),

final as (
    select
        customer_numbers.customer_id,
        cast(ranked.recommendation_rank as integer) as recommendation_rank,
        on_sale.product_sku,
        on_sale.product_name,
        on_sale.category,
        on_sale.brand,
        cast(cast(ranked.score_millionths as double) / 1000000 as decimal(18, 6)) as score,
        cast(cast(ranked.co_purchase_score_millionths as double) / 1000000 as decimal(18, 6)) as co_purchase_score,
        cast(
            cast(ranked.score_millionths - ranked.co_purchase_score_millionths as double) / 1000000
            as decimal(18, 6)
        ) as co_view_score,
        cast(ranked.association_count as integer) as association_count,
        as_of.as_of_date
    from ranked
    inner join customer_numbers
        on ranked.customer_number = customer_numbers.customer_number
    inner join product_numbers
        on ranked.product_number = product_numbers.product_number
    inner join on_sale
        on product_numbers.product_sku = on_sale.product_sku
    cross join as_of
    where ranked.recommendation_rank <= {{ per_customer }}
)

select * from final
