{#- Every interaction of every customer across all sources, one row per source record, to be read in time order
    (customer_id, occurred_at). Incremental on DuckDB (see cdp_timeline_materialization): a run writes only the
    records that are new or whose customer changed (delete+insert on interaction_key), and the post-hook removes the
    records that no longer resolve to any customer, so the table always equals int_customer_interactions
    (assert_customer_timeline_matches_interactions checks it). -#}
{{ config(
    materialized=cdp_timeline_materialization(),
    unique_key='interaction_key',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "delete from {{ this }} where interaction_key not in"
        ~ " (select interaction_key from {{ ref('int_customer_interactions') }})"
        ~ "{% endif %}"
    ]
) }}

with

interactions as (
    select * from {{ ref('int_customer_interactions') }}
),

-- on an incremental run, only what is new or moved to another customer since the last run
changed as (
    select interactions.*
    from interactions
    {% if is_incremental() %}
        left join {{ this }} as existing
            on
                interactions.interaction_key = existing.interaction_key
                and interactions.customer_id = existing.customer_id
        where existing.interaction_key is null
    {% endif %}
),

final as (
    select
        interaction_key,
        customer_id,
        occurred_at,
        source_name,
        record_key,
        channel,
        event_type,
        description,
        is_customer_initiated,
        product_sku,
        store_id,
        amount,
        currency_code,
        load_id
    from changed
)

select * from final
