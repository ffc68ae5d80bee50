{#- Loyalty cards of resolved customers as interactions (see int_customer_interactions): joining the programme, with
    the card's tier and status. -#}
with

members as (
    select * from {{ cdp_records_with_customer('loyalty_members') }}
),

final as (
    select
        customer_id,
        source_name,
        record_key,
        joined_at as occurred_at,
        'loyalty' as channel,
        'loyalty_joined' as event_type,
        true as is_customer_initiated,
        'Joined the loyalty programme'
        || coalesce(' (' || tier || ', ' || member_status || ')', '') as description,
        member_status as status,
        load_id
    from members
)

select * from final
