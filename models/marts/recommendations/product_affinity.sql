{#- Which products, and which categories, go together: association rules "antecedent -> consequent" with support,
    confidence and lift, per association type and channel, as of the build's reference date.
    - co_purchase: bought in the same basket (order or till receipt); channel online (shop orders), store (till
      receipts) or all (both).
    - co_view: viewed or carted in the same browsing session (customer x channel x UTC day); channel online only
      (there are no views in stores).
    Pairs are counted once per unordered pair and basket, then written in both directions (lift and support are
    symmetric, confidence is not). Only pairs seen together in at least var('recommendations_min_pair_baskets')
    baskets are kept. -#}
{%- set min_pair_baskets = var('recommendations_min_pair_baskets') -%}
{%- if min_pair_baskets is not integer or min_pair_baskets < 1 -%}
    {{ exceptions.raise_compiler_error(
        "var recommendations_min_pair_baskets must be a whole number >= 1, got '" ~ min_pair_baskets ~ "'") }}
{%- endif -%}

with

basket_items as (
    select * from {{ ref('int_basket_items_collected') }}
),

as_of as (
    select {{ cdp_as_of_date() }} as as_of_date
),

-- every basket counts in its own channel, and purchase baskets also in 'all'
scoped as (
    select
        association_type,
        channel,
        basket_key,
        product_sku,
        category
    from basket_items
    union all
    select
        association_type,
        'all' as channel,
        basket_key,
        product_sku,
        category
    from basket_items
    where association_type = 'co_purchase'
),

basket_totals as (
    select
        association_type,
        channel,
        count(distinct basket_key) as basket_count
    from scoped
    group by association_type, channel
),

-- one row per basket and item, at product level and at category level (a basket with two products of one
-- category holds that category once)
items as (
    select distinct
        association_type,
        channel,
        'product' as affinity_level,
        basket_key,
        product_sku as item_key,
        category as item_category
    from scoped
    union all
    select distinct
        association_type,
        channel,
        'category' as affinity_level,
        basket_key,
        category as item_key,
        category as item_category
    from scoped
    where category is not null
),

item_counts as (
    select
        association_type,
        channel,
        affinity_level,
        item_key,
        max(item_category) as item_category,
        count(*) as item_basket_count
    from items
    group by association_type, channel, affinity_level, item_key
),

pairs as (
    select
        first_item.association_type,
        first_item.channel,
        first_item.affinity_level,
        first_item.item_key as first_key,
        second_item.item_key as second_key,
        count(*) as pair_basket_count
    from items as first_item
    inner join items as second_item
        on
            first_item.association_type = second_item.association_type
            and first_item.channel = second_item.channel
            and first_item.affinity_level = second_item.affinity_level
            and first_item.basket_key = second_item.basket_key
            and first_item.item_key < second_item.item_key
    group by
        first_item.association_type,
        first_item.channel,
        first_item.affinity_level,
        first_item.item_key,
        second_item.item_key
    having count(*) >= {{ min_pair_baskets }}
),

directed as (
    select
        association_type,
        channel,
        affinity_level,
        first_key as antecedent_key,
        second_key as consequent_key,
        pair_basket_count
    from pairs
    union all
    select
        association_type,
        channel,
        affinity_level,
        second_key as antecedent_key,
        first_key as consequent_key,
        pair_basket_count
    from pairs
),

final as (
    select
        directed.affinity_level,
        directed.association_type,
        directed.channel,
        directed.antecedent_key,
        directed.consequent_key,
        antecedent.item_category as antecedent_category,
        consequent.item_category as consequent_category,
        directed.pair_basket_count,
        antecedent.item_basket_count as antecedent_basket_count,
        consequent.item_basket_count as consequent_basket_count,
        basket_totals.basket_count,
        -- 'support' is the measure's usual name, though sqlfluff counts it as a keyword
        cast(directed.pair_basket_count as double) / basket_totals.basket_count as support,  -- noqa: RF04
        cast(directed.pair_basket_count as double) / antecedent.item_basket_count as confidence,
        cast(directed.pair_basket_count as double) * basket_totals.basket_count
        / (cast(antecedent.item_basket_count as double) * consequent.item_basket_count) as lift,
        as_of.as_of_date
    from directed
    inner join basket_totals
        on
            directed.association_type = basket_totals.association_type
            and directed.channel = basket_totals.channel
    inner join item_counts as antecedent
        on
            directed.association_type = antecedent.association_type
            and directed.channel = antecedent.channel
            and directed.affinity_level = antecedent.affinity_level
            and directed.antecedent_key = antecedent.item_key
    inner join item_counts as consequent
        on
            directed.association_type = consequent.association_type
            and directed.channel = consequent.channel
            and directed.affinity_level = consequent.affinity_level
            and directed.consequent_key = consequent.item_key
    cross join as_of
)

select * from final
