{#- Every interaction of every customer across all sources, one row per source record, to be read in time order
    (customer_id, occurred_at). Incremental on every engine (see cdp_timeline_incremental): a run writes only the
    records that are new or whose customer changed (DuckDB: by interaction_key; Spark: the partitions of their loads),
    and the post-hook removes the records that no longer resolve to any customer, so the table always equals
    int_customer_interactions (assert_customer_timeline_matches_interactions checks it). -#}
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_timeline_prune(this, ref('int_customer_interactions')) }}"
        ~ "{% endif %}"
    ],
    **cdp_timeline_incremental_config()
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
        {{ cdp_timeline_increment_filter('interactions', this) }}
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
