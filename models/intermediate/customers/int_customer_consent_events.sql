{#- Every piece of consent evidence per customer and channel (email, sms, push, advertising), one row per source
    record and channel:
      opt_in / opt_out   the CRM's e-mail and SMS opt-in flags (true / false) at consent_updated_at (else the account's
                         updated_at): the state the CRM recorded at that time
      unsubscribe        an e-mail unsubscribe (email_events) or an SMS / push opt-out (messaging_sends opted_out)
      spam_complaint     the customer reported a marketing e-mail as spam (email_events)
      push_token_seen    an app install of the customer registered a push token (the operating system's permission
                         prompt was accepted): implicit evidence, used only when no explicit evidence exists
    No source records advertising consent yet: advertising has no evidence and stays not consented. -#}
with

record_map as (
    select
        source_name,
        record_key,
        customer_id
    from {{ ref('identity_record_map') }}
    where customer_id is not null
),

crm_accounts as (
    select
        record_map.customer_id,
        customer_accounts.source_name,
        customer_accounts.record_key,
        coalesce(customer_accounts.consent_updated_at, customer_accounts.updated_at) as occurred_at,
        customer_accounts.email_opt_in,
        customer_accounts.sms_opt_in
    from {{ ref('stg_crm__customers') }} as customer_accounts
    inner join record_map
        on
            customer_accounts.source_name = record_map.source_name
            and customer_accounts.record_key = record_map.record_key
),

crm_email as (
    select
        customer_id,
        'email' as channel,
        case when email_opt_in then 'opt_in' else 'opt_out' end as consent_event,
        source_name,
        record_key,
        occurred_at
    from crm_accounts
    where email_opt_in is not null
),

crm_sms as (
    select
        customer_id,
        'sms' as channel,
        case when sms_opt_in then 'opt_in' else 'opt_out' end as consent_event,
        source_name,
        record_key,
        occurred_at
    from crm_accounts
    where sms_opt_in is not null
),

withdrawals as (
    select
        customer_id,
        channel,
        case when event_type = 'spam_complaint' then 'spam_complaint' else 'unsubscribe' end as consent_event,
        source_name,
        record_key,
        occurred_at
    from {{ ref('int_customer_interactions') }}
    where
        (source_name = 'email_events' and event_type in ('unsubscribe', 'spam_complaint'))
        or (source_name = 'messaging_sends' and event_type = 'opted_out' and channel in ('sms', 'push'))
),

push_tokens as (
    select
        customer_id,
        'push' as channel,
        'push_token_seen' as consent_event,
        'identity_map' as source_name,
        'push_token:' || {{ dbt.hash('identifier_value') }} as record_key,
        first_seen_at as occurred_at
    from {{ ref('identity_map') }}
    where identifier_type = 'push_token' and customer_id is not null
),

unioned as (
    select * from crm_email
    union all
    select * from crm_sms
    union all
    select * from withdrawals
    union all
    select * from push_tokens
),

final as (
    select
        customer_id,
        channel,
        consent_event,
        consent_event = 'opt_in' or consent_event = 'push_token_seen' as is_opt_in,
        consent_event <> 'push_token_seen' as is_explicit,
        source_name,
        record_key,
        occurred_at
    from unioned
)

select * from final
