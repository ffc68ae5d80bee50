{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
with

source as (
    select * from {{ source('pos', 'pos_transaction_lines') }}
),

staged_transactions as (
    select transaction_id from {{ ref('stg_pos__transactions') }}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('transaction_line_id') }} as transaction_line_id,
        {{ cdp_clean_string('transaction_id') }} as transaction_id,
        {{ cdp_clean_string('product_sku') }} as product_sku,
        {{ cdp_parse_integer('quantity') }} as quantity,
        {{ cdp_clean_string('quantity') }} as quantity_delivered,
        {{ cdp_parse_decimal('unit_price') }} as unit_price,
        {{ cdp_clean_string('unit_price') }} as unit_price_delivered,
        {{ cdp_parse_decimal('discount_amount') }} as discount_amount,
        {{ cdp_clean_string('discount_amount') }} as discount_amount_delivered
    from source
),

with_parent as (
    select
        typed.*,
        staged_transactions.transaction_id is not null as has_staged_transaction
    from typed
    left join staged_transactions
        on typed.transaction_id = staged_transactions.transaction_id
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('transaction_line_id') }}
            {{ cdp_missing('transaction_id') }}
            {{ cdp_missing('product_sku') }}
            {{ cdp_unparsed('quantity') }}
            {{ cdp_missing('quantity') }}
            {{ cdp_unparsed('unit_price') }}
            {{ cdp_missing('unit_price') }}
            when not has_staged_transaction then 'transaction_id not staged: ' || transaction_id
        end as rejection_reason
    from with_parent
),

final as (
    select * from checked
)

select * from final
