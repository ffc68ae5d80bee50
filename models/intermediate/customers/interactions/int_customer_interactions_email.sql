{#- Marketing e-mail events of resolved customers as interactions (see int_customer_interactions): sends,
    deliveries and bounces (not the customer's doing), opens, clicks, unsubscribes and spam complaints. -#}
with

events as (
    select * from {{ cdp_records_with_customer('email_events') }}
),

final as (
    select
        customer_id,
        source_name,
        record_key,
        occurred_at,
        'email' as channel,
        event_type,
        event_type in ('open', 'click', 'unsubscribe', 'spam_complaint') as is_customer_initiated,
        case event_type
            when 'sent' then 'E-mail sent'
            when 'delivered' then 'E-mail delivered'
            when 'open' then 'Opened an e-mail'
            when 'click' then 'Clicked a link in an e-mail'
            when 'bounce' then 'E-mail bounced' || coalesce(' (' || bounce_type || ')', '')
            when 'unsubscribe' then 'Unsubscribed from e-mail'
            when 'spam_complaint' then 'Reported an e-mail as spam'
            else event_type
        end || coalesce(' - campaign ' || campaign_id, '') as description,
        campaign_id,
        load_id
    from events
)

select * from final
