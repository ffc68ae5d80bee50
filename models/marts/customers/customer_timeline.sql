{#- Every interaction of every customer across all sources, one row per source record, to be read in time order
    (customer_id, occurred_at). Incremental on every engine (see cdp_timeline_incremental): a run writes only the
    records that are new or differ in any column, e.g. a new customer or a later delivery (DuckDB: by interaction_key;
    Spark: the partitions of their loads), and the post-hook removes the records that no longer resolve to any
    customer, so the table always equals int_customer_interactions (assert_customer_timeline_matches_interactions
    checks it). -#}
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_timeline_prune(this, ref('int_customer_interactions')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('interaction_key')
) }}

with

interactions as (
    select * from {{ ref('int_customer_interactions') }}
),

keyed as (
    select
        {{ cdp_interaction_key() }} as interaction_key,
        *
    from interactions
),

-- on an incremental run, only what is new or moved to another customer since the last run
changed as (
    select keyed.*
    from keyed
    {% if is_incremental() %}
        {{ cdp_timeline_increment_filter('keyed', this) }}
    {% endif %}
),

final as (
    select {{ cdp_timeline_columns() | join(', ') }}
    from changed
)

select * from final
