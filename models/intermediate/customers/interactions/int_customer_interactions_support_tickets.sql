{#- Help-desk tickets of resolved customers as interactions (see int_customer_interactions), with their topic,
    channel, status and satisfaction score. -#}
with

tickets as (
    select * from {{ cdp_records_with_customer('support_tickets') }}
),

final as (
    select
        customer_id,
        source_name,
        record_key,
        created_at as occurred_at,
        'support' as channel,
        'ticket' as event_type,
        true as is_customer_initiated,
        'Support ticket ' || ticket_id
        || coalesce(' about ' || category, '')
        || coalesce(' via ' || channel, '')
        || coalesce(' (' || status || ')', '') as description,
        status,
        cast(satisfaction_score as integer) as satisfaction_score,
        load_id
    from tickets
)

select * from final
