-- Nobody is opted in to a channel with a withdrawal (unsubscribe, spam complaint, opt-out) at or after the evidence
-- that opted them in, and nobody is opted in to advertising without evidence.
with

consent as (
    select * from {{ ref('customer_consent') }}
),

final as (
    {% for channel in ['email', 'sms', 'push', 'advertising'] %}
        select
            customer_id,
            '{{ channel }}' as channel,
            {{ channel }}_consent_event as consent_event,
            {{ channel }}_consent_at as consent_at,
            {{ channel }}_last_withdrawn_at as last_withdrawn_at
        from consent
        where
            is_{{ channel }}_opted_in
            and (
                {{ channel }}_consent_event is null
                or {{ channel }}_last_withdrawn_at >= {{ channel }}_consent_at
            )
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
