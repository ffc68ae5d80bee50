with

base as (
    select * from {{ ref('base_pos__transactions') }}
),

latest_delivery as (
    select * from base
    where rejection_reason is null and delivery_rank = 1
),

final as (
    select
        transaction_id,
        store_id,
        occurred_at,
        loyalty_card_number,
        {{ cdp_normalize_email('receipt_email_delivered') }} as email_address,
        {{ cdp_canonical_email('receipt_email_delivered') }} as email_canonical,
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
            email=cdp_canonical_email('receipt_email_delivered'),
            loyalty_card='loyalty_card_number',
            pos_transaction='transaction_id'
        ) }}
    from latest_delivery
)

select * from final
