{#- Marketing consent per customer and channel (email, sms, push, advertising), with the evidence that decided it.

    Precedence, per channel (see docs/single-customer-view.md):
    1. Explicit evidence decides when there is any: the latest explicit event wins. An unsubscribe, a spam complaint or
       a CRM flag set to false is a withdrawal; a later withdrawal always wins over an earlier opt-in, and a withdrawal
       is only overridden by an explicit opt-in (a CRM flag set to true) dated after it. On the same timestamp the
       withdrawal wins.
    2. Without explicit evidence, implicit evidence (a registered push token, push only) opts in.
    3. Without any evidence the customer is not opted in; advertising, for which no source records consent yet,
       is therefore never consented (privacy by default).
    A hard bounce of the golden e-mail address (not followed by a delivery) marks it undeliverable; that does not
    change the consent, but is_email_contactable is false. -#}
{%- set channels = ['email', 'sms', 'push', 'advertising'] -%}

with

customers as (
    select
        customer_id,
        email,
        phone
    from {{ ref('dim_customers') }}
),

evidence as (
    select * from {{ ref('int_customer_consent_events') }}
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id, channel
            order by
                case when is_explicit then 0 else 1 end asc,
                occurred_at desc nulls last,
                case when is_opt_in then 1 else 0 end asc,
                source_name asc,
                record_key asc
        ) as evidence_rank
    from evidence
),

decisive as (
    select
        customer_id,
        channel,
        consent_event,
        is_opt_in,
        source_name,
        record_key,
        occurred_at
    from ranked
    where evidence_rank = 1
),

withdrawals as (
    select
        customer_id,
        channel,
        max(occurred_at) as last_withdrawn_at
    from evidence
    where not is_opt_in
    group by customer_id, channel
),

per_channel as (
    select
        coalesce(decisive.customer_id, withdrawals.customer_id) as customer_id,
        coalesce(decisive.channel, withdrawals.channel) as channel,
        case when decisive.is_opt_in then 1 else 0 end as opted_in,
        decisive.consent_event,
        decisive.source_name,
        decisive.record_key,
        decisive.occurred_at,
        withdrawals.last_withdrawn_at
    from decisive
    full outer join withdrawals
        on decisive.customer_id = withdrawals.customer_id and decisive.channel = withdrawals.channel
),

-- one row per customer with evidence, the channels side by side
pivoted as (
    select
        customer_id,
        {%- for channel in channels %}
            max(case when channel = '{{ channel }}' then opted_in end) as {{ channel }}_opted_in,
            max(case when channel = '{{ channel }}' then consent_event end) as {{ channel }}_consent_event,
            max(case when channel = '{{ channel }}' then source_name end) as {{ channel }}_consent_source,
            max(case when channel = '{{ channel }}' then record_key end) as {{ channel }}_consent_record_key,
            max(case when channel = '{{ channel }}' then occurred_at end) as {{ channel }}_consent_at,
            max(case when channel = '{{ channel }}' then last_withdrawn_at end) as {{ channel }}_last_withdrawn_at,
        {%- endfor %}
        count(*) as channel_count
    from per_channel
    group by customer_id
),

deliverability as (
    select
        email_address,
        is_undeliverable,
        last_hard_bounce_at
    from {{ ref('int_email_deliverability') }}
),

final as (
    select
        customers.customer_id,
        {%- for channel in channels %}
            coalesce(pivoted.{{ channel }}_opted_in, 0) = 1 as is_{{ channel }}_opted_in,
            pivoted.{{ channel }}_consent_event,
            pivoted.{{ channel }}_consent_source,
            pivoted.{{ channel }}_consent_record_key,
            pivoted.{{ channel }}_consent_at,
            pivoted.{{ channel }}_last_withdrawn_at,
        {%- endfor %}
        coalesce(deliverability.is_undeliverable, false) as is_email_undeliverable,
        case when deliverability.is_undeliverable then deliverability.last_hard_bounce_at end as email_undeliverable_at,
        coalesce(pivoted.email_opted_in, 0) = 1
        and customers.email is not null
        and not coalesce(deliverability.is_undeliverable, false) as is_email_contactable,
        coalesce(pivoted.sms_opted_in, 0) = 1 and customers.phone is not null as is_sms_contactable,
        coalesce(pivoted.push_opted_in, 0) = 1 as is_push_contactable
    from customers
    left join pivoted
        on customers.customer_id = pivoted.customer_id
    left join deliverability
        on customers.email = deliverability.email_address
)

select * from final
