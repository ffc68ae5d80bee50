{{ config(**cdp_staging_config('transaction_id', 'base_pos__transactions')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_pos__transactions') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'transaction_id') }}
),

normalised as (
    select
        *,
        {{ cdp_normalize_email('receipt_email_delivered') }} as email_address
    from latest_delivery
),

canonical as (
    select
        *,
        {{ cdp_email_identity_form('email_address') }} as email_canonical
    from normalised
),

final as (
    select
        transaction_id,
        store_id,
        occurred_at,
        loyalty_card_number,
        email_address,
        email_canonical,
        transaction_type,
        payment_method,
        currency as currency_code,
        total_amount,
        transaction_type = 'return' as is_return,
        load_id,
        source_row_number,
        {{ cdp_identity_markers(
            source_name='pos_transactions',
            record_key='transaction_id',
            observed_at='occurred_at',
            email='email_canonical',
            loyalty_card='loyalty_card_number',
            pos_transaction='transaction_id'
        ) }}
    from canonical
)

select * from final
