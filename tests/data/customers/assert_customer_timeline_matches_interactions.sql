-- The (incremental) timeline holds exactly the current interactions, every column as a full build would write it:
-- the incremental run and its post-hook must have caught up with every identity change, every later delivery of a
-- record and every renamed store.
with

timeline as (
    select * from {{ ref('customer_timeline') }}
),

interactions as (
    select * from {{ ref('int_customer_interactions') }}
),

keyed_interactions as (
    select
        {{ cdp_interaction_key() }} as interaction_key,
        *
    from interactions
),

final as (
    select
        coalesce(timeline.interaction_key, keyed_interactions.interaction_key) as interaction_key,
        timeline.customer_id as timeline_customer_id,
        keyed_interactions.customer_id as current_customer_id,
        timeline.load_id as timeline_load_id,
        keyed_interactions.load_id as current_load_id
    from timeline
    full outer join keyed_interactions
        on timeline.interaction_key = keyed_interactions.interaction_key
    where not ({{ cdp_timeline_rows_match('timeline', 'keyed_interactions') }})
)

select * from final
