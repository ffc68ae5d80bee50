{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('shop', 'shop_orders')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('shop', 'shop_orders') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('shop', 'shop_orders'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('order_id') }} as order_id,
        {{ cdp_clean_string('user_id') }} as user_id,
        {{ cdp_clean_string(cdp_trim_whitespace('email')) }} as email_delivered,
        {{ cdp_clean_string('phone') }} as phone_delivered,
        {{ cdp_to_utc_timestamp('ordered_at') }} as ordered_at,
        {{ cdp_clean_string('ordered_at') }} as ordered_at_delivered,
        lower({{ cdp_clean_string('status') }}) as status,
        upper({{ cdp_clean_string('currency') }}) as currency,
        {{ cdp_parse_decimal('subtotal_amount') }} as subtotal_amount,
        {{ cdp_clean_string('subtotal_amount') }} as subtotal_amount_delivered,
        {{ cdp_parse_decimal('discount_amount') }} as discount_amount,
        {{ cdp_clean_string('discount_amount') }} as discount_amount_delivered,
        {{ cdp_parse_decimal('shipping_amount') }} as shipping_amount,
        {{ cdp_clean_string('shipping_amount') }} as shipping_amount_delivered,
        {{ cdp_parse_decimal('total_amount') }} as total_amount,
        {{ cdp_clean_string('total_amount') }} as total_amount_delivered,
        {{ cdp_parse_decimal('refunded_amount') }} as refunded_amount,
        {{ cdp_clean_string('refunded_amount') }} as refunded_amount_delivered,
        upper({{ cdp_clean_string('shipping_postcode') }}) as shipping_postcode,
        {{ cdp_clean_string('shipping_city') }} as shipping_city,
        upper({{ cdp_clean_string('shipping_country') }}) as shipping_country_code
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('order_id') }}
            {{ cdp_unparsed('ordered_at') }}
            {{ cdp_missing('ordered_at') }}
            {{ cdp_missing('status') }}
            {{ cdp_unknown_value('status', ['completed', 'cancelled', 'refunded', 'partially_refunded', 'returned']) }}
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
