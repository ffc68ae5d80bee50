with

source as (
    select * from {{ source('pos', 'stores') }}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('store_id') }} as store_id,
        {{ cdp_clean_string('store_name') }} as store_name,
        {{ cdp_clean_string('city') }} as city,
        upper({{ cdp_clean_string('postcode') }}) as postcode,
        upper({{ cdp_clean_string('country') }}) as country_code,
        {{ cdp_parse_date('opened_on') }} as opened_on,
        {{ cdp_clean_string('opened_on') }} as opened_on_delivered,
        {{ cdp_parse_date('closed_on') }} as closed_on,
        {{ cdp_clean_string('closed_on') }} as closed_on_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('store_id') }}
            {{ cdp_missing('store_name') }}
        end as rejection_reason
    from typed
),

final as (
    select
        *,
        {{ cdp_delivery_rank('store_id') }} as delivery_rank
    from checked
)

select * from final
