{{ config(**cdp_staging_config('order_id', 'base_shop__orders')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_shop__orders') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'order_id') }}
),

normalised as (
    select
        *,
        {{ cdp_normalize_email('email_delivered') }} as email_address,
        -- a phone written without an international prefix is taken to be of the shipping country
        {{ cdp_normalize_phone('phone_delivered', country_expression='shipping_country_code') }} as phone_e164
    from latest_delivery
),

canonical as (
    select
        *,
        {{ cdp_email_identity_form('email_address') }} as email_canonical
    from normalised
),

final as (
    select
        order_id,
        user_id,
        email_address,
        email_canonical,
        phone_e164,
        ordered_at,
        status as order_status,
        currency as currency_code,
        subtotal_amount,
        discount_amount,
        shipping_amount,
        total_amount,
        refunded_amount,
        cast(total_amount - coalesce(refunded_amount, 0) as decimal(18, 2)) as net_amount,
        shipping_postcode,
        shipping_city,
        shipping_country_code,
        user_id is null as is_guest_checkout,
        load_id,
        source_row_number,
        {{ cdp_identity_markers(
            source_name='shop_orders',
            record_key='order_id',
            observed_at='ordered_at',
            email='email_canonical',
            phone='phone_e164',
            user_id='user_id'
        ) }}
    from canonical
)

select * from final
