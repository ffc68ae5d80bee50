{#- Support traits per customer as of the build's reference date (see customer_traits): help-desk tickets (and those
    still open or pending), live chats, the mean satisfaction of the rated ones, how many were rated, and the latest
    contact. One row per customer with a ticket or chat up to the end of the as-of date. -#}
with

interactions as (
    select * from {{ cdp_up_to_as_of_date(ref('int_customer_interactions'), 'occurred_at') }}
),

contacts as (
    select
        customer_id,
        source_name,
        status,
        satisfaction_score,
        occurred_at
    from interactions
    where source_name in ('support_tickets', 'live_chats')
),

final as (
    select
        customer_id,
        count(case when source_name = 'support_tickets' then 1 end) as support_ticket_count,
        count(case
            when source_name = 'support_tickets' and status in ('open', 'pending') then 1
        end) as open_support_ticket_count,
        count(case when source_name = 'live_chats' then 1 end) as live_chat_count,
        cast(avg(cast(satisfaction_score as decimal(10, 4))) as decimal(5, 2)) as avg_support_satisfaction,
        count(satisfaction_score) as support_ratings_count,
        max(occurred_at) as last_support_contact_at
    from contacts
    group by customer_id
)

select * from final
