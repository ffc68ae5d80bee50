{#- History of the identity map: one row each time an identifier's customer changed (first assignment, merge,
    split, cut, block), appended by every build that changes something. The latest row per identifier is the
    previous build's assignment, which identity_merges compares against. Never rebuilt by --full-refresh
    (full_refresh: false), so the history survives a full rebuild. Keyed by type and value, not by identifier_id,
    which may differ between engines. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='fail'
) }}

with

current_state as (
    select
        identifier_type,
        identifier_value,
        customer_id
    from {{ ref('int_identity_assignments') }}
),

{% if is_incremental() %}
    -- the latest row per identifier, by one aggregation rather than a window over the whole history: one build
    -- appends at most one row per identifier, so changed_at orders them; a null customer is carried as '' because
    -- max_by skips null values on some engines
    previous_state as (
        select
            history.identifier_type,
            history.identifier_value,
            nullif(max_by(coalesce(history.customer_id, ''), history.changed_at), '') as customer_id
        from {{ this }} as history
        group by history.identifier_type, history.identifier_value
    ),
{% else %}
    previous_state as (
        select
            identifier_type,
            identifier_value,
            customer_id
        from current_state
        where 1 = 0
    ),
{% endif %}

changes as (
    select
        coalesce(current_state.identifier_type, previous_state.identifier_type) as identifier_type,
        coalesce(current_state.identifier_value, previous_state.identifier_value) as identifier_value,
        current_state.customer_id,
        previous_state.customer_id as previous_customer_id
    from current_state
    full outer join previous_state
        on
            current_state.identifier_type = previous_state.identifier_type
            and current_state.identifier_value = previous_state.identifier_value
    where coalesce(current_state.customer_id, '') <> coalesce(previous_state.customer_id, '')
),

final as (
    select
        identifier_type,
        identifier_value,
        customer_id,
        previous_customer_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as changed_at,
        '{{ invocation_id }}' as invocation_id
    from changes
)

select * from final
