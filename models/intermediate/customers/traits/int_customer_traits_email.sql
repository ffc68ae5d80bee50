{#- E-mail engagement per customer as of the build's reference date (see customer_traits): distinct campaigns
    delivered, opened and clicked (an e-mail without a campaign counts on its own), and the open and click rates (at
    most 1). One row per customer with an e-mail event up to the end of the as-of date. -#}
with

interactions as (
    select * from {{ cdp_up_to_as_of_date(ref('int_customer_interactions'), 'occurred_at') }}
),

email_events as (
    select
        customer_id,
        event_type,
        coalesce(campaign_id, record_key) as campaign_key
    from interactions
    where source_name = 'email_events'
),

per_customer as (
    select
        customer_id,
        count(distinct case when event_type = 'delivered' then campaign_key end) as emails_delivered_count,
        count(distinct case when event_type = 'open' then campaign_key end) as emails_opened_count,
        count(distinct case when event_type = 'click' then campaign_key end) as emails_clicked_count
    from email_events
    group by customer_id
),

final as (
    select
        customer_id,
        emails_delivered_count,
        emails_opened_count,
        emails_clicked_count,
        case
            when emails_delivered_count > 0
                then cast(least(1.0, emails_opened_count * 1.0 / emails_delivered_count) as decimal(5, 4))
        end as email_open_rate,
        case
            when emails_delivered_count > 0
                then cast(least(1.0, emails_clicked_count * 1.0 / emails_delivered_count) as decimal(5, 4))
        end as email_click_rate
    from per_customer
)

select * from final
