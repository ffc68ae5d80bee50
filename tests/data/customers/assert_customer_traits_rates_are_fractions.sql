-- Rates and shares are fractions (0 to 1) and counts are never negative.
with

traits as (
    select * from {{ ref('customer_traits') }}
),

final as (
    select
        customer_id,
        email_open_rate,
        email_click_rate,
        brand_loyalty_share,
        preferred_store_share,
        abandoned_cart_count,
        cart_count
    from traits
    where
        email_open_rate not between 0 and 1
        or email_click_rate not between 0 and 1
        or brand_loyalty_share not between 0 and 1
        or preferred_store_share not between 0 and 1
        or abandoned_cart_count > cart_count
        or abandoned_cart_count < 0
        or online_to_offline_purchase_count > store_purchase_count
)

select * from final
