{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('web', 'web_events')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('web', 'web_events') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('web', 'web_events'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('event_id') }} as event_id,
        lower({{ cdp_clean_string('event_type') }}) as event_type,
        {{ cdp_to_utc_timestamp('occurred_at') }} as occurred_at,
        {{ cdp_clean_string('occurred_at') }} as occurred_at_delivered,
        {{ cdp_clean_string('anonymous_id') }} as anonymous_id,
        {{ cdp_clean_string('user_id') }} as user_id,
        {{ cdp_clean_string(cdp_trim_whitespace('email')) }} as email_delivered,
        {{ cdp_clean_string('session_id') }} as session_id,
        {{ cdp_clean_string('page_url') }} as page_url,
        {{ cdp_clean_string('product_sku') }} as product_sku,
        lower({{ cdp_clean_string('device_type') }}) as device_type,
        {{ cdp_clean_string('ip_address') }} as ip_address_delivered,
        {{ cdp_clean_string('user_agent') }} as user_agent,
        lower({{ cdp_clean_string('utm_source') }}) as utm_source,
        lower({{ cdp_clean_string('utm_medium') }}) as utm_medium,
        {{ cdp_clean_string('utm_campaign') }} as utm_campaign
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
            {{ cdp_unknown_value('event_type', [
                'page_view', 'product_view', 'add_to_cart', 'checkout', 'signup', 'login'
            ]) }}
        end as rejection_reason
    from typed
),

final as (
    select * from checked
)

select * from final
