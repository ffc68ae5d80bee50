{#- The values online shop orders offer for the golden attributes of their customer (see
    int_customer_attribute_candidates), as of the order: e-mail, phone and the delivery address's postcode, city and
    country. -#}
with

orders as (
    select * from {{ cdp_records_with_customer('shop_orders') }}
),

final as (
    {{ cdp_attribute_candidates('orders', observed_at='ordered_at', attributes=[
        ('email', 'email_address'),
        ('phone', 'phone_e164'),
        ('postcode', cdp_tidy_postcode('shipping_postcode', 'shipping_country_code')),
        ('city', cdp_tidy_person_name('trim(shipping_city)')),
        ('country_code', 'upper(shipping_country_code)'),
    ]) }}
)

select * from final
