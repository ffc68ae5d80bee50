{#- Deliverability of every e-mail address the e-mail service provider reported on: an address is undeliverable
    when its latest hard bounce is not followed by a later sign that mail arrives (delivered, open or click). Soft
    bounces are temporary and ignored. One row per address (deliverable form, as staged). -#}
with

email_events as (
    select
        email_address,
        event_type,
        bounce_type,
        occurred_at
    from {{ ref('stg_marketing__email_events') }}
    where email_address is not null
),

per_address as (
    select
        email_address,
        max(case when event_type = 'bounce' and bounce_type = 'hard' then occurred_at end) as last_hard_bounce_at,
        max(case when event_type in ('delivered', 'open', 'click') then occurred_at end) as last_reached_at,
        count(case when event_type = 'bounce' and bounce_type = 'hard' then 1 end) as hard_bounce_count
    from email_events
    group by email_address
),

final as (
    select
        email_address,
        last_hard_bounce_at,
        last_reached_at,
        hard_bounce_count,
        coalesce(
            last_hard_bounce_at is not null
            and (last_reached_at is null or last_reached_at <= last_hard_bounce_at),
            false
        ) as is_undeliverable
    from per_address
)

select * from final
