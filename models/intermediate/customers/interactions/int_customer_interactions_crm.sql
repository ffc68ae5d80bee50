{#- CRM customer accounts of resolved customers as interactions (see int_customer_interactions): the account's
    creation. -#}
with

customer_accounts as (
    select * from {{ cdp_records_with_customer('crm_customers') }}
),

final as (
    select
        customer_id,
        source_name,
        record_key,
        created_at as occurred_at,
        'account' as channel,
        'account_created' as event_type,
        true as is_customer_initiated,
        'Created customer account ' || crm_customer_id as description,
        load_id
    from customer_accounts
)

select * from final
