{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('support', 'live_chats')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('support', 'live_chats') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('support', 'live_chats'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('chat_id') }} as chat_id,
        {{ cdp_clean_string('anonymous_id') }} as anonymous_id,
        {{ cdp_clean_string(cdp_trim_whitespace('visitor_email')) }} as visitor_email_delivered,
        {{ cdp_clean_string('visitor_name') }} as visitor_name,
        lower({{ cdp_clean_string('status') }}) as status,
        {{ cdp_valid_or_null(cdp_parse_integer('message_count'), '>= 0') }} as message_count,
        {{ cdp_clean_string('message_count') }} as message_count_delivered,
        {{ cdp_valid_or_null(cdp_parse_integer('satisfaction_score'), 'between 1 and 5') }} as satisfaction_score,
        {{ cdp_clean_string('satisfaction_score') }} as satisfaction_score_delivered,
        {{ cdp_to_utc_timestamp('started_at') }} as started_at,
        {{ cdp_clean_string('started_at') }} as started_at_delivered,
        {{ cdp_to_utc_timestamp('ended_at') }} as ended_at,
        {{ cdp_clean_string('ended_at') }} as ended_at_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('chat_id') }}
            {{ cdp_unparsed('started_at') }}
            {{ cdp_missing('started_at') }}
        end as rejection_reason
    from typed
),

final as (
    select * from checked
)

select * from final
