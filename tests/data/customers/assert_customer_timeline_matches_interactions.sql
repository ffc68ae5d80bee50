-- The (incremental) timeline holds exactly the current interactions, each with its current customer: the
-- incremental run and its post-hook must have caught up with every identity change.
with

timeline as (
    select
        interaction_key,
        customer_id
    from {{ ref('customer_timeline') }}
),

interactions as (
    select
        interaction_key,
        customer_id
    from {{ ref('int_customer_interactions') }}
),

final as (
    select
        coalesce(timeline.interaction_key, interactions.interaction_key) as interaction_key,
        timeline.customer_id as timeline_customer_id,
        interactions.customer_id as current_customer_id
    from timeline
    full outer join interactions
        on timeline.interaction_key = interactions.interaction_key
    where
        timeline.interaction_key is null
        or interactions.interaction_key is null
        or timeline.customer_id <> interactions.customer_id
)

select * from final
