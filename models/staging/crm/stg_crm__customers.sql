{{ config(**cdp_staging_config('crm_customer_id', 'base_crm__customers')) }}

with

base as {{ cdp_inline_cte() }} (
    select * from {{ ref('base_crm__customers') }}
),

latest_delivery as (
    {{ cdp_latest_delivery('base', 'crm_customer_id', 'updated_at') }}
),

normalised as (
    select
        *,
        {{ cdp_normalize_email('email_delivered') }} as email_address,
        -- a phone written without an international prefix is taken to be of the customer's country
        {{ cdp_normalize_phone('phone_delivered', country_expression='country_code') }} as phone_e164
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
        crm_customer_id,
        user_id,
        first_name,
        last_name,
        email_address,
        email_canonical,
        phone_e164,
        birth_date,
        gender,
        street_address,
        postcode,
        city,
        country_code,
        marital_status,
        occupation,
        income_band,
        email_opt_in,
        sms_opt_in,
        consent_updated_at,
        created_at,
        updated_at,
        load_id,
        source_row_number,
        {{ cdp_identity_markers(
            source_name='crm_customers',
            record_key='crm_customer_id',
            observed_at='updated_at',
            crm_account='crm_customer_id',
            email='email_canonical',
            phone='phone_e164',
            user_id='user_id'
        ) }}
    from canonical
)

select * from final
