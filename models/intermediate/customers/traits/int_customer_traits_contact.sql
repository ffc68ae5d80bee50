{#- The preferred contact channel per customer as of the build's reference date (see customer_traits): where the
    customer responds to marketing most (e-mail opens and clicks, SMS and push clicks, push opens in the app), then
    the most recently. One row per customer who responded at least once up to the end of the as-of date. -#}
with

interactions as (
    select * from {{ cdp_up_to_as_of_date(ref('int_customer_interactions'), 'occurred_at') }}
),

contact_engagements as (
    select
        customer_id,
        case
            when source_name = 'email_events' and event_type in ('open', 'click') then 'email'
            when source_name = 'messaging_sends' and event_type = 'clicked' then channel
            when source_name = 'app_events' and event_type = 'push_open' then 'push'
        end as contact_channel,
        occurred_at
    from interactions
    where source_name in ('email_events', 'messaging_sends', 'app_events')
),

contact_scores as (
    select
        customer_id,
        contact_channel,
        count(*) as engagement_count,
        max(occurred_at) as last_engaged_at
    from contact_engagements
    where contact_channel is not null
    group by customer_id, contact_channel
),

contact_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by engagement_count desc, last_engaged_at desc nulls last, contact_channel asc
        ) as contact_rank
    from contact_scores
),

final as (
    select
        customer_id,
        contact_channel as preferred_contact_channel,
        engagement_count as preferred_contact_engagements
    from contact_ranked
    where contact_rank = 1
)

select * from final
