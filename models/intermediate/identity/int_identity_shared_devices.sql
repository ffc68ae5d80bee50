{#- Direct evidence that an app install is shared: its push token received the same campaign more than once.
    The messaging platform sends one push per subscription, so two sends of one campaign to one token mean two
    app accounts are subscribed on the device (a household tablet). Such a token identifies nobody: it is a hub
    for every partner type (int_identity_hubs). SMS are not counted: a phone that gets a campaign twice is one
    person subscribed twice (a duplicate CRM account). -#}

with

sends as (
    select
        marker_push_token as identifier_value,
        campaign_id
    from {{ ref('stg_marketing__messaging_sends') }}
    where
        channel = 'push'
        and event_type = 'sent'
        and marker_push_token is not null
        and campaign_id is not null
),

repeated as (
    select
        identifier_value,
        campaign_id
    from sends
    group by identifier_value, campaign_id
    having count(*) > 1
),

final as (
    select
        'push_token' as identifier_type,
        identifier_value,
        count(*) as repeated_campaigns
    from repeated
    group by identifier_value
)

select * from final
