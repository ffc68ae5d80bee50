{#- Every staged person-bearing record that identity resolution gave a customer, in one long shape: when it
    happened, on which channel, what it was, and the few details the traits need. One row per source record
    (source_name, record_key); the customer timeline and the traits are built from this one table, so every source
    is joined to the record map once. -#}
{%- set text = dbt.type_string() -%}
{%- set null_text = 'cast(null as ' ~ text ~ ')' -%}
{%- set null_amount = 'cast(null as decimal(18, 2))' -%}
{%- set null_integer = 'cast(null as integer)' -%}
{%- set null_timestamp = 'cast(null as ' ~ dbt.type_timestamp() ~ ')' -%}

with

record_map as (
    select
        source_name,
        record_key,
        customer_id
    from {{ ref('identity_record_map') }}
    where customer_id is not null
),

stores as (
    select
        store_id,
        store_name
    from {{ ref('stg_pos__stores') }}
),

-- the latest in-store rescan (with a till receipt) of each QR code, to follow an online scan into a shop
qr_rescans as (
    select
        qr_code_id,
        transaction_id,
        scanned_at,
        row_number() over (
            partition by qr_code_id
            order by scanned_at desc nulls last, scan_id desc
        ) as rescan_rank
    from {{ ref('stg_qr__scans') }}
    where scan_type = 'in_store' and transaction_id is not null
),

latest_qr_rescans as (
    select
        qr_code_id,
        transaction_id,
        scanned_at
    from qr_rescans
    where rescan_rank = 1
),

web as (
    select
        record_map.customer_id,
        events.source_name,
        events.record_key,
        events.occurred_at,
        'web' as channel,
        events.event_type,
        true as is_customer_initiated,
        case events.event_type
            when 'page_view' then 'Viewed page ' || coalesce(events.page_url, '(unknown)')
            when 'product_view' then 'Viewed product ' || coalesce(events.product_sku, '(unknown)')
            when 'add_to_cart' then 'Added ' || coalesce(events.product_sku, 'a product') || ' to the cart'
            when 'checkout' then 'Checked out on the website'
            when 'signup' then 'Signed up on the website'
            when 'login' then 'Logged in on the website'
            else events.event_type
        end || coalesce(' (' || events.device_type || ')', '') as description,
        events.session_id,
        'web:' || events.anonymous_id as device_key,
        events.product_sku,
        {{ null_text }} as store_id,
        {{ null_text }} as store_name,
        events.utm_campaign as campaign_id,
        {{ null_text }} as email_address,
        {{ null_text }} as bounce_type,
        {{ null_text }} as status,
        {{ null_amount }} as amount,
        {{ null_text }} as currency_code,
        {{ null_integer }} as satisfaction_score,
        {{ null_text }} as qr_code_id,
        {{ null_text }} as linked_transaction_id,
        {{ null_timestamp }} as linked_at,
        events.load_id
    from {{ ref('stg_web__events') }} as events
    inner join record_map
        on
            events.source_name = record_map.source_name
            and events.record_key = record_map.record_key
),

app as (
    select
        record_map.customer_id,
        events.source_name,
        events.record_key,
        events.occurred_at,
        'app' as channel,
        events.event_type,
        true as is_customer_initiated,
        case events.event_type
            when 'app_open' then 'Opened the app'
            when 'screen_view' then 'Viewed a screen in the app'
            when 'product_view' then 'Viewed product ' || coalesce(events.product_sku, '(unknown)') || ' in the app'
            when 'add_to_cart' then 'Added ' || coalesce(events.product_sku, 'a product') || ' to the cart in the app'
            when 'login' then 'Logged in to the app'
            when 'push_open' then 'Opened a push notification'
            else events.event_type
        end || coalesce(' (' || events.platform || ')', '') as description,
        {{ null_text }} as session_id,
        'app:' || events.device_id as device_key,
        events.product_sku,
        {{ null_text }} as store_id,
        {{ null_text }} as store_name,
        {{ null_text }} as campaign_id,
        {{ null_text }} as email_address,
        {{ null_text }} as bounce_type,
        {{ null_text }} as status,
        {{ null_amount }} as amount,
        {{ null_text }} as currency_code,
        {{ null_integer }} as satisfaction_score,
        {{ null_text }} as qr_code_id,
        {{ null_text }} as linked_transaction_id,
        {{ null_timestamp }} as linked_at,
        events.load_id
    from {{ ref('stg_app__events') }} as events
    inner join record_map
        on
            events.source_name = record_map.source_name
            and events.record_key = record_map.record_key
),

shop_orders as (
    select
        record_map.customer_id,
        orders.source_name,
        orders.record_key,
        orders.ordered_at as occurred_at,
        'web' as channel,
        'order' as event_type,
        true as is_customer_initiated,
        'Order ' || orders.order_id || ' (' || orders.order_status || '): '
        || cast(orders.total_amount as {{ text }}) || ' ' || orders.currency_code as description,
        {{ null_text }} as session_id,
        {{ null_text }} as device_key,
        {{ null_text }} as product_sku,
        {{ null_text }} as store_id,
        {{ null_text }} as store_name,
        {{ null_text }} as campaign_id,
        orders.email_address,
        {{ null_text }} as bounce_type,
        orders.order_status as status,
        orders.total_amount as amount,
        orders.currency_code,
        {{ null_integer }} as satisfaction_score,
        {{ null_text }} as qr_code_id,
        {{ null_text }} as linked_transaction_id,
        {{ null_timestamp }} as linked_at,
        orders.load_id
    from {{ ref('stg_shop__orders') }} as orders
    inner join record_map
        on
            orders.source_name = record_map.source_name
            and orders.record_key = record_map.record_key
),

pos_transactions as (
    select
        record_map.customer_id,
        receipts.source_name,
        receipts.record_key,
        receipts.occurred_at,
        'store' as channel,
        case when receipts.is_return then 'return' else 'purchase' end as event_type,
        true as is_customer_initiated,
        case when receipts.is_return then 'Returned goods at ' else 'Bought in store at ' end
        || coalesce(stores.store_name, receipts.store_id) || ': '
        || cast(receipts.total_amount as {{ text }}) || ' ' || receipts.currency_code as description,
        {{ null_text }} as session_id,
        {{ null_text }} as device_key,
        {{ null_text }} as product_sku,
        receipts.store_id,
        stores.store_name,
        {{ null_text }} as campaign_id,
        receipts.email_address,
        {{ null_text }} as bounce_type,
        receipts.transaction_type as status,
        receipts.total_amount as amount,
        receipts.currency_code,
        {{ null_integer }} as satisfaction_score,
        {{ null_text }} as qr_code_id,
        {{ null_text }} as linked_transaction_id,
        {{ null_timestamp }} as linked_at,
        receipts.load_id
    from {{ ref('stg_pos__transactions') }} as receipts
    inner join record_map
        on
            receipts.source_name = record_map.source_name
            and receipts.record_key = record_map.record_key
    left join stores
        on receipts.store_id = stores.store_id
),

crm_customers as (
    select
        record_map.customer_id,
        customer_accounts.source_name,
        customer_accounts.record_key,
        customer_accounts.created_at as occurred_at,
        'account' as channel,
        'account_created' as event_type,
        true as is_customer_initiated,
        'Created customer account ' || customer_accounts.crm_customer_id as description,
        {{ null_text }} as session_id,
        {{ null_text }} as device_key,
        {{ null_text }} as product_sku,
        {{ null_text }} as store_id,
        {{ null_text }} as store_name,
        {{ null_text }} as campaign_id,
        customer_accounts.email_address,
        {{ null_text }} as bounce_type,
        {{ null_text }} as status,
        {{ null_amount }} as amount,
        {{ null_text }} as currency_code,
        {{ null_integer }} as satisfaction_score,
        {{ null_text }} as qr_code_id,
        {{ null_text }} as linked_transaction_id,
        {{ null_timestamp }} as linked_at,
        customer_accounts.load_id
    from {{ ref('stg_crm__customers') }} as customer_accounts
    inner join record_map
        on
            customer_accounts.source_name = record_map.source_name
            and customer_accounts.record_key = record_map.record_key
),

loyalty_members as (
    select
        record_map.customer_id,
        members.source_name,
        members.record_key,
        members.joined_at as occurred_at,
        'loyalty' as channel,
        'loyalty_joined' as event_type,
        true as is_customer_initiated,
        'Joined the loyalty programme'
        || coalesce(' (' || members.tier || ', ' || members.member_status || ')', '') as description,
        {{ null_text }} as session_id,
        {{ null_text }} as device_key,
        {{ null_text }} as product_sku,
        {{ null_text }} as store_id,
        {{ null_text }} as store_name,
        {{ null_text }} as campaign_id,
        members.email_address,
        {{ null_text }} as bounce_type,
        members.member_status as status,
        {{ null_amount }} as amount,
        {{ null_text }} as currency_code,
        {{ null_integer }} as satisfaction_score,
        {{ null_text }} as qr_code_id,
        {{ null_text }} as linked_transaction_id,
        {{ null_timestamp }} as linked_at,
        members.load_id
    from {{ ref('stg_loyalty__members') }} as members
    inner join record_map
        on
            members.source_name = record_map.source_name
            and members.record_key = record_map.record_key
),

email_events as (
    select
        record_map.customer_id,
        events.source_name,
        events.record_key,
        events.occurred_at,
        'email' as channel,
        events.event_type,
        events.event_type in ('open', 'click', 'unsubscribe', 'spam_complaint') as is_customer_initiated,
        case events.event_type
            when 'sent' then 'E-mail sent'
            when 'delivered' then 'E-mail delivered'
            when 'open' then 'Opened an e-mail'
            when 'click' then 'Clicked a link in an e-mail'
            when 'bounce' then 'E-mail bounced' || coalesce(' (' || events.bounce_type || ')', '')
            when 'unsubscribe' then 'Unsubscribed from e-mail'
            when 'spam_complaint' then 'Reported an e-mail as spam'
            else events.event_type
        end || coalesce(' - campaign ' || events.campaign_id, '') as description,
        {{ null_text }} as session_id,
        {{ null_text }} as device_key,
        {{ null_text }} as product_sku,
        {{ null_text }} as store_id,
        {{ null_text }} as store_name,
        events.campaign_id,
        events.email_address,
        events.bounce_type,
        {{ null_text }} as status,
        {{ null_amount }} as amount,
        {{ null_text }} as currency_code,
        {{ null_integer }} as satisfaction_score,
        {{ null_text }} as qr_code_id,
        {{ null_text }} as linked_transaction_id,
        {{ null_timestamp }} as linked_at,
        events.load_id
    from {{ ref('stg_marketing__email_events') }} as events
    inner join record_map
        on
            events.source_name = record_map.source_name
            and events.record_key = record_map.record_key
),

messaging_sends as (
    select
        record_map.customer_id,
        sends.source_name,
        sends.record_key,
        sends.occurred_at,
        sends.channel,
        sends.event_type,
        sends.event_type in ('clicked', 'opted_out') as is_customer_initiated,
        case sends.channel when 'sms' then 'SMS ' else 'Push notification ' end
        || case sends.event_type
            when 'opted_out' then 'opt-out'
            else sends.event_type
        end || coalesce(' - campaign ' || sends.campaign_id, '') as description,
        {{ null_text }} as session_id,
        {{ null_text }} as device_key,
        {{ null_text }} as product_sku,
        {{ null_text }} as store_id,
        {{ null_text }} as store_name,
        sends.campaign_id,
        {{ null_text }} as email_address,
        {{ null_text }} as bounce_type,
        {{ null_text }} as status,
        {{ null_amount }} as amount,
        {{ null_text }} as currency_code,
        {{ null_integer }} as satisfaction_score,
        {{ null_text }} as qr_code_id,
        {{ null_text }} as linked_transaction_id,
        {{ null_timestamp }} as linked_at,
        sends.load_id
    from {{ ref('stg_marketing__messaging_sends') }} as sends
    inner join record_map
        on
            sends.source_name = record_map.source_name
            and sends.record_key = record_map.record_key
),

support_tickets as (
    select
        record_map.customer_id,
        tickets.source_name,
        tickets.record_key,
        tickets.created_at as occurred_at,
        'support' as channel,
        'ticket' as event_type,
        true as is_customer_initiated,
        'Support ticket ' || tickets.ticket_id
        || coalesce(' about ' || tickets.category, '')
        || coalesce(' via ' || tickets.channel, '')
        || coalesce(' (' || tickets.status || ')', '') as description,
        {{ null_text }} as session_id,
        {{ null_text }} as device_key,
        {{ null_text }} as product_sku,
        {{ null_text }} as store_id,
        {{ null_text }} as store_name,
        {{ null_text }} as campaign_id,
        tickets.email_address,
        {{ null_text }} as bounce_type,
        tickets.status,
        {{ null_amount }} as amount,
        {{ null_text }} as currency_code,
        cast(tickets.satisfaction_score as integer) as satisfaction_score,
        {{ null_text }} as qr_code_id,
        {{ null_text }} as linked_transaction_id,
        {{ null_timestamp }} as linked_at,
        tickets.load_id
    from {{ ref('stg_support__tickets') }} as tickets
    inner join record_map
        on
            tickets.source_name = record_map.source_name
            and tickets.record_key = record_map.record_key
),

live_chats as (
    select
        record_map.customer_id,
        chats.source_name,
        chats.record_key,
        chats.started_at as occurred_at,
        'support' as channel,
        'chat' as event_type,
        true as is_customer_initiated,
        'Live chat' || coalesce(' (' || chats.status || ')', '')
        || coalesce(', ' || cast(chats.message_count as {{ text }}) || ' messages', '') as description,
        {{ null_text }} as session_id,
        'web:' || chats.anonymous_id as device_key,
        {{ null_text }} as product_sku,
        {{ null_text }} as store_id,
        {{ null_text }} as store_name,
        {{ null_text }} as campaign_id,
        chats.email_address,
        {{ null_text }} as bounce_type,
        chats.status,
        {{ null_amount }} as amount,
        {{ null_text }} as currency_code,
        cast(chats.satisfaction_score as integer) as satisfaction_score,
        {{ null_text }} as qr_code_id,
        {{ null_text }} as linked_transaction_id,
        {{ null_timestamp }} as linked_at,
        chats.load_id
    from {{ ref('stg_support__live_chats') }} as chats
    inner join record_map
        on
            chats.source_name = record_map.source_name
            and chats.record_key = record_map.record_key
),

qr_scans as (
    select
        record_map.customer_id,
        scans.source_name,
        scans.record_key,
        scans.scanned_at as occurred_at,
        case when scans.scan_type = 'online' then 'web' else 'store' end as channel,
        'qr_scan_' || scans.scan_type as event_type,
        true as is_customer_initiated,
        case
            when scans.scan_type = 'online' then 'Scanned a QR code online'
            else 'Rescanned a QR code in store at ' || coalesce(stores.store_name, scans.store_id, '(unknown)')
        end || coalesce(' for product ' || scans.product_sku, '') as description,
        {{ null_text }} as session_id,
        case when scans.scan_type = 'online' then 'web:' || scans.anonymous_id end as device_key,
        scans.product_sku,
        scans.store_id,
        stores.store_name,
        {{ null_text }} as campaign_id,
        {{ null_text }} as email_address,
        {{ null_text }} as bounce_type,
        {{ null_text }} as status,
        {{ null_amount }} as amount,
        {{ null_text }} as currency_code,
        {{ null_integer }} as satisfaction_score,
        scans.qr_code_id,
        case
            when scans.scan_type = 'in_store' then scans.transaction_id
            when latest_qr_rescans.scanned_at >= scans.scanned_at then latest_qr_rescans.transaction_id
        end as linked_transaction_id,
        case
            when scans.scan_type = 'online' and latest_qr_rescans.scanned_at >= scans.scanned_at
                then latest_qr_rescans.scanned_at
        end as linked_at,
        scans.load_id
    from {{ ref('stg_qr__scans') }} as scans
    inner join record_map
        on
            scans.source_name = record_map.source_name
            and scans.record_key = record_map.record_key
    left join stores
        on scans.store_id = stores.store_id
    left join latest_qr_rescans
        on scans.scan_type = 'online' and scans.qr_code_id = latest_qr_rescans.qr_code_id
),

unioned as (
    select * from web
    union all
    select * from app
    union all
    select * from shop_orders
    union all
    select * from pos_transactions
    union all
    select * from crm_customers
    union all
    select * from loyalty_members
    union all
    select * from email_events
    union all
    select * from messaging_sends
    union all
    select * from support_tickets
    union all
    select * from live_chats
    union all
    select * from qr_scans
),

final as (
    select
        source_name || ':' || record_key as interaction_key,
        customer_id,
        occurred_at,
        source_name,
        record_key,
        channel,
        event_type,
        is_customer_initiated,
        description,
        session_id,
        device_key,
        product_sku,
        store_id,
        store_name,
        campaign_id,
        email_address,
        bounce_type,
        status,
        amount,
        currency_code,
        satisfaction_score,
        qr_code_id,
        linked_transaction_id,
        linked_at,
        load_id
    from unioned
)

select * from final
