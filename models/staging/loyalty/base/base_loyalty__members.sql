{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('loyalty', 'loyalty_members')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('loyalty', 'loyalty_members') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('loyalty', 'loyalty_members'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_normalize_loyalty_card('loyalty_card_number') }} as loyalty_card_number,
        {{ cdp_clean_string(cdp_trim_whitespace('email')) }} as email_delivered,
        {{ cdp_clean_string('phone') }} as phone_delivered,
        {{ cdp_clean_string('first_name') }} as first_name,
        {{ cdp_clean_string('last_name') }} as last_name,
        {{ cdp_valid_or_null(
            'lower(' ~ cdp_clean_string('tier') ~ ')', "in ('bronze', 'silver', 'gold', 'platinum')"
        ) }} as tier,
        {{ cdp_clean_string('tier') }} as tier_delivered,
        {{ cdp_to_utc_timestamp('joined_at') }} as joined_at,
        {{ cdp_clean_string('joined_at') }} as joined_at_delivered,
        {{ cdp_parse_integer('points_balance') }} as points_balance,
        {{ cdp_clean_string('points_balance') }} as points_balance_delivered,
        {{ cdp_valid_or_null('lower(' ~ cdp_clean_string('status') ~ ')', "in ('active', 'closed')") }} as status,
        {{ cdp_clean_string('status') }} as status_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('loyalty_card_number') }}
            {{ cdp_unparsed('joined_at') }}
            {{ cdp_missing('joined_at') }}
        end as rejection_reason
    from typed
),

final as (
    select * from checked
)

select * from final
