{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('support', 'support_tickets')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('support', 'support_tickets') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('support', 'support_tickets'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('ticket_id') }} as ticket_id,
        {{ cdp_clean_string(cdp_trim_whitespace('requester_email')) }} as requester_email_delivered,
        {{ cdp_clean_string('requester_phone') }} as requester_phone_delivered,
        {{ cdp_clean_string('requester_name') }} as requester_name,
        lower({{ cdp_clean_string('channel') }}) as channel,
        {{ cdp_clean_string('category') }} as category,
        lower({{ cdp_clean_string('status') }}) as status,
        {{ cdp_valid_or_null(cdp_parse_integer('satisfaction_score'), 'between 1 and 5') }} as satisfaction_score,
        {{ cdp_clean_string('satisfaction_score') }} as satisfaction_score_delivered,
        {{ cdp_to_utc_timestamp('created_at') }} as created_at,
        {{ cdp_clean_string('created_at') }} as created_at_delivered,
        {{ cdp_to_utc_timestamp('solved_at') }} as solved_at,
        {{ cdp_clean_string('solved_at') }} as solved_at_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('ticket_id') }}
            {{ cdp_unparsed('created_at') }}
            {{ cdp_missing('created_at') }}
        end as rejection_reason
    from typed
),

final as (
    select * from checked
)

select * from final
