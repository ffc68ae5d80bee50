{#- Activity traits per customer as of the build's reference date (see customer_traits): the first and latest
    customer-initiated interaction, the channels used, devices, web and app sessions, and logins in the trailing
    4 and 12 weeks. One row per customer with an interaction up to the end of the as-of date. -#}
with

interactions as {{ cdp_inline_cte() }} (
    select * from {{ cdp_up_to_as_of_date(ref('int_customer_interactions'), 'occurred_at') }}
),

as_of as (
    select
        as_of_date,
        {{ dbt.dateadd('day', 1, 'as_of_date') }} as window_end,
        {{ dbt.dateadd('day', -27, 'as_of_date') }} as start_4w,
        {{ dbt.dateadd('day', -83, 'as_of_date') }} as start_12w
    from (select {{ cdp_as_of_date() }} as as_of_date) as reference_date
),

per_customer as (
    select
        interactions.customer_id,
        min(case when interactions.is_customer_initiated then interactions.occurred_at end) as first_seen_at,
        max(case when interactions.is_customer_initiated then interactions.occurred_at end) as last_seen_at,
        max(case
            when
                interactions.source_name in ('web_events', 'shop_orders')
                or interactions.event_type = 'qr_scan_online'
                then 1
            else 0
        end) as uses_web,
        max(case when interactions.source_name = 'app_events' then 1 else 0 end) as uses_app,
        max(case
            when interactions.source_name = 'pos_transactions' or interactions.event_type = 'qr_scan_in_store' then 1
            else 0
        end) as uses_store,
        max(case
            when interactions.source_name = 'email_events' and interactions.is_customer_initiated then 1
            else 0
        end) as uses_email,
        max(case
            when interactions.source_name in ('support_tickets', 'live_chats') then 1
            else 0
        end) as uses_support,
        count(distinct interactions.device_key) as device_count,
        count(distinct case
            when interactions.source_name = 'web_events' then interactions.session_id
        end) as web_session_count,
        count(case
            when interactions.source_name = 'app_events' and interactions.event_type = 'app_open' then 1
        end) as app_session_count,
        count(case
            when
                interactions.event_type = 'login'
                and interactions.occurred_at >= as_of.start_4w
                and interactions.occurred_at < as_of.window_end
                then 1
        end) as logins_trailing_4w,
        count(case
            when
                interactions.event_type = 'login'
                and interactions.occurred_at >= as_of.start_12w
                and interactions.occurred_at < as_of.window_end
                then 1
        end) as logins_trailing_12w
    from interactions
    cross join as_of
    group by interactions.customer_id
),

final as (
    select
        per_customer.customer_id,
        per_customer.first_seen_at,
        per_customer.last_seen_at,
        -- bigint on every engine (Spark's datediff gives int)
        cast({{ dbt.datediff(
            'cast(per_customer.last_seen_at as date)',
            'as_of.as_of_date',
            'day'
        ) }} as bigint) as days_since_last_seen,
        per_customer.uses_web = 1 as uses_web,
        per_customer.uses_app = 1 as uses_app,
        per_customer.uses_store = 1 as uses_store,
        per_customer.uses_email = 1 as uses_email,
        per_customer.uses_support = 1 as uses_support,
        nullif(substr(
            case when per_customer.uses_web = 1 then ',web' else '' end
            || case when per_customer.uses_app = 1 then ',app' else '' end
            || case when per_customer.uses_store = 1 then ',store' else '' end
            || case when per_customer.uses_email = 1 then ',email' else '' end
            || case when per_customer.uses_support = 1 then ',support' else '' end,
            2
        ), '') as channels_used,
        per_customer.uses_web + per_customer.uses_app + per_customer.uses_store + per_customer.uses_email
        + per_customer.uses_support as channel_count,
        per_customer.device_count,
        per_customer.web_session_count,
        per_customer.app_session_count,
        per_customer.web_session_count + per_customer.app_session_count as session_count,
        per_customer.logins_trailing_4w,
        per_customer.logins_trailing_12w
    from per_customer
    cross join as_of
)

select * from final
