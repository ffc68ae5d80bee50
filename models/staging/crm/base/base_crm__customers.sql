{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file. -#}
-- sqlfluff:exclude_rules:ST06,LT01,LT02,LT05,LT14
{{ config(
    on_schema_change='fail',
    post_hook=[
        "{% if is_incremental() %}"
        ~ "{{ cdp_prune_unloaded(this, source('crm', 'crm_customers')) }}"
        ~ "{% endif %}"
    ],
    **cdp_incremental_by_load_config('load_id')
) }}

with

source as (
    select * from {{ source('crm', 'crm_customers') }}
    {% if is_incremental() %}
        where _load_id in ({{ cdp_loads_to_stage(source('crm', 'crm_customers'), this) }})
    {% endif %}
),

typed as (
    select
        {{ cdp_load_columns() }},
        {{ cdp_clean_string('crm_customer_id') }} as crm_customer_id,
        {{ cdp_clean_string('user_id') }} as user_id,
        {{ cdp_clean_string('first_name') }} as first_name,
        {{ cdp_clean_string('last_name') }} as last_name,
        {{ cdp_clean_string('email') }} as email_delivered,
        {{ cdp_clean_string('phone') }} as phone_delivered,
        {{ cdp_parse_date('birth_date') }} as birth_date,
        {{ cdp_clean_string('birth_date') }} as birth_date_delivered,
        lower({{ cdp_clean_string('gender') }}) as gender,
        {{ cdp_clean_string('street_address') }} as street_address,
        upper({{ cdp_clean_string('postcode') }}) as postcode,
        {{ cdp_clean_string('city') }} as city,
        upper({{ cdp_clean_string('country') }}) as country_code,
        lower({{ cdp_clean_string('marital_status') }}) as marital_status,
        {{ cdp_clean_string('occupation') }} as occupation,
        {{ cdp_clean_string('income_band') }} as income_band,
        {{ cdp_parse_boolean('email_opt_in') }} as email_opt_in,
        {{ cdp_clean_string('email_opt_in') }} as email_opt_in_delivered,
        {{ cdp_parse_boolean('sms_opt_in') }} as sms_opt_in,
        {{ cdp_clean_string('sms_opt_in') }} as sms_opt_in_delivered,
        {{ cdp_to_utc_timestamp('consent_updated_at') }} as consent_updated_at,
        {{ cdp_clean_string('consent_updated_at') }} as consent_updated_at_delivered,
        {{ cdp_to_utc_timestamp('created_at') }} as created_at,
        {{ cdp_clean_string('created_at') }} as created_at_delivered,
        {{ cdp_to_utc_timestamp('updated_at') }} as updated_at,
        {{ cdp_clean_string('updated_at') }} as updated_at_delivered
    from source
),

checked as (
    select
        *,
        case
            when parse_error is not null then parse_error
            {{ cdp_missing('crm_customer_id') }}
            {{ cdp_unparsed('created_at') }}
            {{ cdp_unparsed('updated_at') }}
            {{ cdp_missing('created_at') }}
            {{ cdp_missing('updated_at') }}
        end as rejection_reason
    from typed
),

final as (
    select * from checked
)

select * from final
