{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('marketing', 'messaging_sends')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('marketing', 'messaging_sends') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('marketing', 'messaging_sends'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('message_event_id') }} as message_event_id,
        lower({{ cdp_clean_string('channel') }}) as channel,
        lower({{ cdp_clean_string('event_type') }}) as event_type,
        {{ cdp_clean_string('phone') }} as phone_delivered,
        {{ cdp_clean_string('push_token') }} as push_token,
        {{ cdp_clean_string('campaign_id') }} as campaign_id,
        {{ cdp_to_utc_timestamp('occurred_at') }} as occurred_at,
        {{ cdp_clean_string('occurred_at') }} as occurred_at_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('message_event_id') }}
            {{ cdp_missing('channel') }}
            {{ cdp_missing('event_type') }}
            {{ cdp_unparsed('occurred_at') }}
            {{ cdp_missing('occurred_at') }}
            {{ cdp_unknown_value('channel', ['sms', 'push']) }}
            {{ cdp_unknown_value('event_type', ['sent', 'delivered', 'clicked', 'failed', 'opted_out']) }}
        end as rejection_reason
    from typed
),

final as (
    select * from checked
)

select * from final
