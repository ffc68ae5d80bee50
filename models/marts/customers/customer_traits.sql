{#- Behaviour and multichannel activity per customer, as of the build's reference date (cdp_as_of_date()).
    Each trait is defined in the yml and in docs/single-customer-view.md. Every input is aggregated once per customer
    (interactions, product activity) and the results are joined on customer_id; no correlated subqueries. -#}
{%- set cart_days = cdp_abandoned_cart_days() -%}
{%- set o2o_days = cdp_online_to_offline_days() -%}

with

customers as (
    select customer_id from {{ ref('dim_customers') }}
),

as_of as (
    select
        as_of_date,
        {{ dbt.dateadd('day', 1, 'as_of_date') }} as window_end,
        {{ dbt.dateadd('day', -27, 'as_of_date') }} as start_4w,
        {{ dbt.dateadd('day', -83, 'as_of_date') }} as start_12w
    from (select {{ cdp_as_of_date() }} as as_of_date) as reference_date
),

-- what happened up to the end of the as-of date: a past as_of_date gives the traits as they were then
interactions as {{ cdp_inline_cte() }} (
    select recorded.*
    from {{ ref('int_customer_interactions') }} as recorded
    inner join as_of
        on recorded.occurred_at < as_of.window_end
),

product_activity as {{ cdp_inline_cte() }} (
    select recorded.*
    from {{ ref('int_customer_product_activity') }} as recorded
    inner join as_of
        on recorded.occurred_at < as_of.window_end
),

activity as (
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
        end) as logins_trailing_12w,
        count(case
            when interactions.source_name = 'shop_orders' and interactions.status <> 'cancelled' then 1
        end) as online_order_count,
        count(case
            when interactions.source_name = 'pos_transactions' and interactions.event_type = 'purchase' then 1
        end) as store_purchase_count,
        max(case
            when
                (interactions.source_name = 'shop_orders' and interactions.status <> 'cancelled')
                or (interactions.source_name = 'pos_transactions' and interactions.event_type = 'purchase')
                then interactions.occurred_at
        end) as last_purchase_at,
        count(distinct case
            when interactions.source_name = 'email_events' and interactions.event_type = 'delivered'
                then coalesce(interactions.campaign_id, interactions.record_key)
        end) as emails_delivered_count,
        count(distinct case
            when interactions.source_name = 'email_events' and interactions.event_type = 'open'
                then coalesce(interactions.campaign_id, interactions.record_key)
        end) as emails_opened_count,
        count(distinct case
            when interactions.source_name = 'email_events' and interactions.event_type = 'click'
                then coalesce(interactions.campaign_id, interactions.record_key)
        end) as emails_clicked_count,
        count(case when interactions.source_name = 'support_tickets' then 1 end) as support_ticket_count,
        count(case
            when interactions.source_name = 'support_tickets' and interactions.status in ('open', 'pending') then 1
        end) as open_support_ticket_count,
        count(case when interactions.source_name = 'live_chats' then 1 end) as live_chat_count,
        avg(case
            when interactions.source_name in ('support_tickets', 'live_chats')
                then cast(interactions.satisfaction_score as decimal(10, 4))
        end) as avg_support_satisfaction,
        count(case
            when
                interactions.source_name in ('support_tickets', 'live_chats')
                and interactions.satisfaction_score is not null
                then 1
        end) as support_ratings_count,
        max(case
            when interactions.source_name in ('support_tickets', 'live_chats') then interactions.occurred_at
        end) as last_support_contact_at,
        count(case
            when interactions.event_type = 'qr_scan_online' and interactions.linked_transaction_id is not null then 1
        end) as qr_online_to_offline_count,
        max(case
            when interactions.event_type = 'qr_scan_online' then interactions.linked_at
        end) as last_qr_online_to_offline_at
    from interactions
    cross join as_of
    group by interactions.customer_id
),

products as (
    select
        customer_id,
        count(distinct case when activity = 'view' then product_sku end) as products_viewed_count,
        count(distinct case when activity = 'cart' then product_sku end) as products_carted_count,
        count(distinct case when activity = 'purchase' then product_sku end) as products_bought_count,
        cast(sum(case when activity = 'purchase' then quantity else 0 end) as bigint) as units_bought
    from product_activity
    group by customer_id
),

-- favourite category and brand: most units bought, then most views and carts, then most recent, then name
category_scores as (
    select
        customer_id,
        category,
        sum(case when activity = 'purchase' then quantity else 0 end) as units_bought,
        count(case when activity in ('view', 'cart') then 1 end) as browse_count,
        max(occurred_at) as last_activity_at
    from product_activity
    where category is not null
    group by customer_id, category
),

category_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by units_bought desc, browse_count desc, last_activity_at desc nulls last, category asc
        ) as category_rank
    from category_scores
),

categories as (
    select
        customer_id,
        max(case when category_rank = 1 then category end) as favourite_category,
        max(case when category_rank = 1 then category end)
        || coalesce(', ' || max(case when category_rank = 2 then category end), '')
        || coalesce(', ' || max(case when category_rank = 3 then category end), '') as top_categories
    from category_ranked
    where category_rank <= 3
    group by customer_id
),

brand_scores as (
    select
        customer_id,
        brand,
        sum(case when activity = 'purchase' then quantity else 0 end) as units_bought,
        count(case when activity in ('view', 'cart') then 1 end) as browse_count,
        max(occurred_at) as last_activity_at
    from product_activity
    where brand is not null
    group by customer_id, brand
),

brand_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by units_bought desc, browse_count desc, last_activity_at desc nulls last, brand asc
        ) as brand_rank,
        sum(units_bought) over (partition by customer_id) as all_brand_units
    from brand_scores
),

brands as (
    select
        customer_id,
        max(case when brand_rank = 1 then brand end) as favourite_brand,
        max(case when brand_rank = 1 then brand end)
        || coalesce(', ' || max(case when brand_rank = 2 then brand end), '')
        || coalesce(', ' || max(case when brand_rank = 3 then brand end), '') as top_brands,
        max(case
            when brand_rank = 1 and all_brand_units > 0
                then cast(units_bought as decimal(18, 4)) / all_brand_units
        end) as brand_loyalty_share
    from brand_ranked
    where brand_rank <= 3
    group by customer_id
),

-- preferred store: most in-store purchases (receipts), then the most recent
store_scores as (
    select
        customer_id,
        store_id,
        max(store_name) as store_name,
        count(*) as receipt_count,
        max(occurred_at) as last_purchase_at
    from interactions
    where source_name = 'pos_transactions' and event_type = 'purchase' and store_id is not null
    group by customer_id, store_id
),

store_ranked as (
    select
        *,
        row_number() over (
            partition by customer_id
            order by receipt_count desc, last_purchase_at desc nulls last, store_id asc
        ) as store_rank,
        sum(receipt_count) over (partition by customer_id) as all_receipts
    from store_scores
),

stores as (
    select
        customer_id,
        store_id as preferred_store_id,
        store_name as preferred_store_name,
        cast(receipt_count as decimal(18, 4)) / all_receipts as preferred_store_share
    from store_ranked
    where store_rank = 1
),

-- preferred contact channel: where the customer responds to marketing most (then most recently)
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

contact as (
    select
        customer_id,
        contact_channel as preferred_contact_channel,
        engagement_count as preferred_contact_engagements
    from contact_ranked
    where contact_rank = 1
),

-- abandoned carts: a cart is the add-to-cart events (web or app) of one customer on one UTC day; it is abandoned
-- when no purchase (online order not cancelled, or in-store sale) follows its first add-to-cart within
-- {{ cart_days }} days, once those days have passed by the as-of date
carts as (
    select
        customer_id,
        min(occurred_at) as started_at,
        0 as event_order
    from interactions
    where source_name in ('web_events', 'app_events') and event_type = 'add_to_cart'
    group by customer_id, cast(occurred_at as date)
),

purchases as (
    select
        customer_id,
        occurred_at as started_at,
        1 as event_order
    from interactions
    where
        (source_name = 'shop_orders' and status <> 'cancelled')
        or (source_name = 'pos_transactions' and event_type = 'purchase')
),

carts_and_purchases as (
    select
        customer_id,
        started_at,
        event_order,
        min(case when event_order = 1 then started_at end) over (
            partition by customer_id
            order by started_at asc nulls last, event_order asc
            rows between current row and unbounded following
        ) as next_purchase_at
    from (
        select * from carts
        union all
        select * from purchases
    ) as timeline
),

cart_outcomes as (
    select
        carts_and_purchases.customer_id,
        carts_and_purchases.started_at,
        carts_and_purchases.next_purchase_at is not null
        and carts_and_purchases.next_purchase_at
        <= {{ dbt.dateadd('day', cart_days, 'carts_and_purchases.started_at') }} as is_converted,
        {{ dbt.dateadd('day', cart_days, 'carts_and_purchases.started_at') }} <= as_of.window_end as is_decided
    from carts_and_purchases
    cross join as_of
    where carts_and_purchases.event_order = 0
),

cart_summary as (
    select
        customer_id,
        count(*) as cart_count,
        count(case when is_decided and not is_converted then 1 end) as abandoned_cart_count,
        max(case when is_decided and not is_converted then started_at end) as last_abandoned_cart_at,
        max(case when not is_decided and not is_converted then 1 else 0 end) as has_open_cart
    from cart_outcomes
    group by customer_id
),

-- online to offline: a product viewed online (web or app) and bought in a store within {{ o2o_days }} days
views_and_store_purchases as (
    select
        customer_id,
        product_sku,
        record_key,
        occurred_at,
        case when activity = 'view' then 0 else 1 end as event_order
    from product_activity
    where activity = 'view' or (activity = 'purchase' and channel = 'store')
),

researched as (
    select
        customer_id,
        record_key,
        occurred_at,
        event_order,
        max(case when event_order = 0 then occurred_at end) over (
            partition by customer_id, product_sku
            order by occurred_at asc nulls last, event_order asc
            rows between unbounded preceding and current row
        ) as last_viewed_at
    from views_and_store_purchases
),

online_to_offline as (
    select
        customer_id,
        count(distinct record_key) as online_to_offline_purchase_count,
        max(occurred_at) as last_online_to_offline_purchase_at
    from researched
    where
        event_order = 1
        and last_viewed_at is not null
        and occurred_at <= {{ dbt.dateadd('day', o2o_days, 'last_viewed_at') }}
    group by customer_id
),

final as (
    select
        customers.customer_id,
        as_of.as_of_date,
        activity.first_seen_at,
        activity.last_seen_at,
        {{ dbt.datediff(
            'cast(activity.last_seen_at as date)',
            'as_of.as_of_date',
            'day'
        ) }} as days_since_last_seen,
        coalesce(activity.uses_web, 0) = 1 as uses_web,
        coalesce(activity.uses_app, 0) = 1 as uses_app,
        coalesce(activity.uses_store, 0) = 1 as uses_store,
        coalesce(activity.uses_email, 0) = 1 as uses_email,
        coalesce(activity.uses_support, 0) = 1 as uses_support,
        nullif(substr(
            case when activity.uses_web = 1 then ',web' else '' end
            || case when activity.uses_app = 1 then ',app' else '' end
            || case when activity.uses_store = 1 then ',store' else '' end
            || case when activity.uses_email = 1 then ',email' else '' end
            || case when activity.uses_support = 1 then ',support' else '' end,
            2
        ), '') as channels_used,
        coalesce(activity.uses_web, 0) + coalesce(activity.uses_app, 0) + coalesce(activity.uses_store, 0)
        + coalesce(activity.uses_email, 0) + coalesce(activity.uses_support, 0) as channel_count,
        coalesce(activity.device_count, 0) as device_count,
        coalesce(activity.web_session_count, 0) as web_session_count,
        coalesce(activity.app_session_count, 0) as app_session_count,
        coalesce(activity.web_session_count, 0) + coalesce(activity.app_session_count, 0) as session_count,
        coalesce(activity.logins_trailing_4w, 0) as logins_trailing_4w,
        cast(coalesce(activity.logins_trailing_4w, 0) / 4.0 as decimal(10, 2)) as logins_per_week_4w,
        coalesce(activity.logins_trailing_12w, 0) as logins_trailing_12w,
        cast(coalesce(activity.logins_trailing_12w, 0) / 12.0 as decimal(10, 2)) as logins_per_week_12w,
        coalesce(products.products_viewed_count, 0) as products_viewed_count,
        coalesce(products.products_carted_count, 0) as products_carted_count,
        coalesce(products.products_bought_count, 0) as products_bought_count,
        coalesce(products.units_bought, 0) as units_bought,
        coalesce(activity.online_order_count, 0) as online_order_count,
        coalesce(activity.store_purchase_count, 0) as store_purchase_count,
        activity.last_purchase_at,
        categories.favourite_category,
        categories.top_categories,
        brands.favourite_brand,
        brands.top_brands,
        cast(brands.brand_loyalty_share as decimal(5, 4)) as brand_loyalty_share,
        stores.preferred_store_id,
        stores.preferred_store_name,
        cast(stores.preferred_store_share as decimal(5, 4)) as preferred_store_share,
        coalesce(activity.emails_delivered_count, 0) as emails_delivered_count,
        coalesce(activity.emails_opened_count, 0) as emails_opened_count,
        coalesce(activity.emails_clicked_count, 0) as emails_clicked_count,
        case
            when activity.emails_delivered_count > 0
                then cast(
                    least(1.0, activity.emails_opened_count * 1.0 / activity.emails_delivered_count)
                    as decimal(5, 4)
                )
        end as email_open_rate,
        case
            when activity.emails_delivered_count > 0
                then cast(
                    least(1.0, activity.emails_clicked_count * 1.0 / activity.emails_delivered_count)
                    as decimal(5, 4)
                )
        end as email_click_rate,
        contact.preferred_contact_channel,
        coalesce(contact.preferred_contact_engagements, 0) as preferred_contact_engagements,
        coalesce(activity.support_ticket_count, 0) as support_ticket_count,
        coalesce(activity.open_support_ticket_count, 0) as open_support_ticket_count,
        coalesce(activity.live_chat_count, 0) as live_chat_count,
        cast(activity.avg_support_satisfaction as decimal(5, 2)) as avg_support_satisfaction,
        coalesce(activity.support_ratings_count, 0) as support_ratings_count,
        activity.last_support_contact_at,
        coalesce(cart_summary.cart_count, 0) as cart_count,
        coalesce(cart_summary.abandoned_cart_count, 0) as abandoned_cart_count,
        cart_summary.last_abandoned_cart_at,
        coalesce(cart_summary.has_open_cart, 0) = 1 as has_open_cart,
        coalesce(online_to_offline.online_to_offline_purchase_count, 0) as online_to_offline_purchase_count,
        coalesce(activity.qr_online_to_offline_count, 0) as qr_online_to_offline_count,
        coalesce(online_to_offline.online_to_offline_purchase_count, 0) > 0
        or coalesce(activity.qr_online_to_offline_count, 0) > 0 as is_online_to_offline_shopper,
        case
            when online_to_offline.last_online_to_offline_purchase_at is null
                then activity.last_qr_online_to_offline_at
            when activity.last_qr_online_to_offline_at is null
                then online_to_offline.last_online_to_offline_purchase_at
            when online_to_offline.last_online_to_offline_purchase_at > activity.last_qr_online_to_offline_at
                then online_to_offline.last_online_to_offline_purchase_at
            else activity.last_qr_online_to_offline_at
        end as last_online_to_offline_at
    from customers
    cross join as_of
    left join activity
        on customers.customer_id = activity.customer_id
    left join products
        on customers.customer_id = products.customer_id
    left join categories
        on customers.customer_id = categories.customer_id
    left join brands
        on customers.customer_id = brands.customer_id
    left join stores
        on customers.customer_id = stores.customer_id
    left join contact
        on customers.customer_id = contact.customer_id
    left join cart_summary
        on customers.customer_id = cart_summary.customer_id
    left join online_to_offline
        on customers.customer_id = online_to_offline.customer_id
)

select * from final
