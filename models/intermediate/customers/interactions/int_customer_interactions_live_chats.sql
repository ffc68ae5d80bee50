{#- Live chats of resolved customers as interactions (see int_customer_interactions), with their status, length and
    satisfaction score, and the visitor's browser as device. -#}
with

chats as (
    select * from {{ cdp_records_with_customer('live_chats') }}
),

final as (
    select
        customer_id,
        source_name,
        record_key,
        started_at as occurred_at,
        'support' as channel,
        'chat' as event_type,
        true as is_customer_initiated,
        'Live chat' || coalesce(' (' || status || ')', '')
        || coalesce(', ' || cast(message_count as {{ dbt.type_string() }}) || ' messages', '') as description,
        'web:' || anonymous_id as device_key,
        status,
        cast(satisfaction_score as integer) as satisfaction_score,
        load_id
    from chats
)

select * from final
