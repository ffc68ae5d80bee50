{#- The e-mail addresses web sign-up and login forms offer for the golden e-mail of their customer (see
    int_customer_attribute_candidates), as of the event. -#}
with

events as (
    select * from {{ cdp_records_with_customer('web_events') }}
),

sign_ups_and_logins as (
    select * from events
    where event_type in ('signup', 'login') and email_address is not null
),

final as (
    {{ cdp_attribute_candidates('sign_ups_and_logins', observed_at='occurred_at', attributes=[
        ('email', 'email_address'),
    ]) }}
)

select * from final
