{#- The values help-desk tickets offer for the golden attributes of their customer (see
    int_customer_attribute_candidates), as of the ticket: the requester's typed name (split by staging), e-mail and
    phone. -#}
with

tickets as (
    select * from {{ cdp_records_with_customer('support_tickets') }}
),

final as (
    {{ cdp_attribute_candidates('tickets', observed_at='created_at', attributes=[
        ('first_name', cdp_tidy_person_name('requester_first_name')),
        ('last_name', cdp_tidy_person_name('requester_last_name')),
        ('email', 'email_address'),
        ('phone', 'phone_e164'),
    ]) }}
)

select * from final
