with

source as (
    select * from {{ source('pos', 'pos_transactions') }}
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
    select
        *,
        {{ cdp_delivery_rank('transaction_id') }} as delivery_rank
    from checked
)

select * from final
