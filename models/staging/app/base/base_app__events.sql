{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('app', 'app_events')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('app', 'app_events') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('app', 'app_events'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('event_id') }} as event_id,
        lower({{ cdp_clean_string('event_type') }}) as event_type,
        {{ cdp_to_utc_timestamp('occurred_at') }} as occurred_at,
        {{ cdp_clean_string('occurred_at') }} as occurred_at_delivered,
        {{ cdp_clean_string('device_id') }} as device_id,
        {{ cdp_clean_string('app_user_id') }} as app_user_id,
        {{ cdp_clean_string('push_token') }} as push_token,
        lower({{ cdp_clean_string('platform') }}) as platform,
        {{ cdp_clean_string('app_version') }} as app_version,
        {{ cdp_clean_string('product_sku') }} as product_sku,
        {{ cdp_clean_string('ip_address') }} as ip_address_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('event_id') }}
            {{ cdp_missing('event_type') }}
            {{ cdp_unparsed('occurred_at') }}
            {{ cdp_missing('occurred_at') }}
            {{ cdp_missing('device_id') }}
            {{ cdp_unknown_value('event_type', [
                'app_open', 'screen_view', 'product_view', 'add_to_cart', 'login', 'push_open'
            ]) }}
        end as rejection_reason
    from typed
),

final as (
    select * from checked
)

select * from final
