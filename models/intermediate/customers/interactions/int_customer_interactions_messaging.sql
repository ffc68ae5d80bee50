{#- SMS and push messages of resolved customers as interactions (see int_customer_interactions): sends, deliveries
    and failures (not the customer's doing), clicks and opt-outs. -#}
with

sends as (
    select * from {{ cdp_records_with_customer('messaging_sends') }}
),

final as (
    select
        customer_id,
        source_name,
        record_key,
        occurred_at,
        channel,
        event_type,
        event_type in ('clicked', 'opted_out') as is_customer_initiated,
        case channel when 'sms' then 'SMS ' else 'Push notification ' end
        || case event_type
            when 'opted_out' then 'opt-out'
            else event_type
        end || coalesce(' - campaign ' || campaign_id, '') as description,
        campaign_id,
        load_id
    from sends
)

select * from final
