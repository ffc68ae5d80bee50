{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('pos', 'pos_transactions')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('pos', 'pos_transactions') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('pos', 'pos_transactions'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('transaction_id') }} as transaction_id,
        {{ cdp_clean_string('store_id') }} as store_id,
        {{ cdp_to_utc_timestamp('occurred_at') }} as occurred_at,
        {{ cdp_clean_string('occurred_at') }} as occurred_at_delivered,
        {{ cdp_normalize_loyalty_card('loyalty_card_number') }} as loyalty_card_number,
        {{ cdp_clean_string(cdp_trim_whitespace('receipt_email')) }} as receipt_email_delivered,
        lower({{ cdp_clean_string('transaction_type') }}) as transaction_type,
        {{ cdp_valid_or_null(
            'lower(' ~ cdp_clean_string('payment_method') ~ ')', "in ('card', 'cash', 'mobile')"
        ) }} as payment_method,
        {{ cdp_clean_string('payment_method') }} as payment_method_delivered,
        upper({{ cdp_clean_string('currency') }}) as currency,
        {{ cdp_parse_decimal('total_amount') }} as total_amount,
        {{ cdp_clean_string('total_amount') }} as total_amount_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('transaction_id') }}
            {{ cdp_missing('store_id') }}
            {{ cdp_unparsed('occurred_at') }}
            {{ cdp_missing('occurred_at') }}
            {{ cdp_missing('transaction_type') }}
            {{ cdp_unknown_value('transaction_type', ['sale', 'return']) }}
            {{ cdp_missing('currency') }}
            when not {{ cdp_regexp_like('currency', '^[A-Z]{3}$') }} then 'invalid currency: ' || currency
            {{ cdp_unparsed('total_amount') }}
            {{ cdp_missing('total_amount') }}
        end as rejection_reason
    from typed
),

final as (
    select * from checked
)

select * from final
