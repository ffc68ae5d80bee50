{#- The values live chats offer for the golden attributes of their customer (see int_customer_attribute_candidates),
    as of the chat: the visitor's typed name (split by staging) and e-mail. -#}
with

chats as (
    select * from {{ cdp_records_with_customer('live_chats') }}
),

final as (
    {{ cdp_attribute_candidates('chats', observed_at='started_at', attributes=[
        ('first_name', cdp_tidy_person_name('visitor_first_name')),
        ('last_name', cdp_tidy_person_name('visitor_last_name')),
        ('email', 'email_address'),
    ]) }}
)

select * from final
