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

customer_accounts as (
    select * from {{ cdp_records_with_customer('crm_customers') }}
),

interactions as (
    select * from {{ ref('int_customer_interactions') }}
),

identifiers as (
    select * from {{ ref('identity_map') }}
),

crm_accounts as (
    select
        customer_id,
        source_name,
        record_key,
        coalesce(consent_updated_at, updated_at) as occurred_at,
        email_opt_in,
        sms_opt_in
    from customer_accounts
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
    from interactions
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
    from identifiers
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
