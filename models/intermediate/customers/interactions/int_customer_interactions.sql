{#- Every staged person-bearing record that identity resolution gave a customer, in one long shape: when it
    happened, on which channel, what it was, and the few details the traits need. One row per source record
    (source_name, record_key; customer_timeline adds their interaction_key, cdp_interaction_key). Each channel's
    model (int_customer_interactions_<channel>) says what its records mean; this model unions them by column name
    (cdp_union_models: a column a channel does not have is null there). The customer timeline, the traits, the
    consent evidence and the product activity read this one table. -#}
with

unioned as (
    {{ cdp_union_models([
        'int_customer_interactions_web',
        'int_customer_interactions_app',
        'int_customer_interactions_shop',
        'int_customer_interactions_pos',
        'int_customer_interactions_crm',
        'int_customer_interactions_loyalty',
        'int_customer_interactions_email',
        'int_customer_interactions_messaging',
        'int_customer_interactions_support_tickets',
        'int_customer_interactions_live_chats',
        'int_customer_interactions_qr',
    ]) }}
),

final as (
    select
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
        status,
        amount,
        currency_code,
        satisfaction_score,
        linked_transaction_id,
        linked_at,
        load_id
    from unioned
)

select * from final
