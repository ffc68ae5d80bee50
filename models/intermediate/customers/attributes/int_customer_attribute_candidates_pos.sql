{#- The e-mail addresses till receipts offer for the golden e-mail of their customer (see
    int_customer_attribute_candidates): the address an e-receipt went to, as of the sale. -#}
with

receipts as (
    select * from {{ cdp_records_with_customer('pos_transactions') }}
),

e_receipts as (
    select * from receipts
    where email_address is not null
),

final as (
    {{ cdp_attribute_candidates('e_receipts', observed_at='occurred_at', attributes=[
        ('email', 'email_address'),
    ]) }}
)

select * from final
