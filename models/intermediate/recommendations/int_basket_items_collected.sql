{#- The baskets that association counting runs over, one row per basket and distinct product, from the product
    activity up to the end of the as-of date:
    - co_purchase: a basket is one online order (not cancelled) or one in-store sale receipt;
    - co_view: a basket is a browsing session, i.e. the products one customer viewed or added to a cart in one
      channel (web or app) on one UTC day (the app sends no session id, so a day is the session in both channels).
    Baskets with more distinct products than var('recommendations_max_basket_products') are left out whole: their
    pairs grow with the square of their size (a bulk order, a browsing spree) and say little about what goes
    together. -#}
{%- set max_products = var('recommendations_max_basket_products') -%}
{%- if max_products is not integer or max_products < 2 -%}
    {{ exceptions.raise_compiler_error(
        "var recommendations_max_basket_products must be a whole number >= 2, got '" ~ max_products ~ "'") }}
{%- endif -%}

with

activity as (
    select * from {{ ref('int_customer_product_activity') }}
),

as_of as (
    select {{ dbt.dateadd('day', 1, 'as_of_date') }} as window_end
    from (select {{ cdp_as_of_date() }} as as_of_date) as reference_date
),

-- nothing after the as-of date: a past as_of_date gives the baskets as they were then
items as (
    select
        activity.customer_id,
        activity.product_sku,
        activity.category,
        activity.occurred_at,
        case when activity.activity = 'purchase' then 'co_purchase' else 'co_view' end as association_type,
        case when activity.channel = 'store' then 'store' else 'online' end as channel,
        case
            when activity.activity = 'purchase'
                then {{ dbt.concat(["activity.source_name", "':'", "activity.record_key"]) }}
            else {{ dbt.concat([
                "'session:'", "activity.customer_id", "':'", "activity.channel", "':'",
                "cast(cast(activity.occurred_at as date) as " ~ dbt.type_string() ~ ")"
            ]) }}
        end as basket_key
    from activity
    inner join as_of
        on activity.occurred_at < as_of.window_end
    where activity.product_sku is not null
),

basket_products as (
    select
        association_type,
        basket_key,
        channel,
        customer_id,
        product_sku,
        category,
        min(occurred_at) as first_occurred_at
    from items
    group by association_type, basket_key, channel, customer_id, product_sku, category
),

sized as (
    select
        basket_products.*,
        count(*)
            over (partition by basket_products.association_type, basket_products.basket_key)
            as basket_product_count
    from basket_products
),

final as (
    select
        association_type,
        basket_key,
        channel,
        customer_id,
        product_sku,
        category,
        first_occurred_at,
        basket_product_count
    from sized
    where basket_product_count <= {{ max_products }}
)

select * from final
