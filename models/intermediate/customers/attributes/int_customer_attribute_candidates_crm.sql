{#- The values CRM customer accounts offer for the golden attributes of their customer (see
    int_customer_attribute_candidates), as of the account's last update: names, e-mail, phone, birth date, gender,
    address, marital status, occupation and income band, lightly tidied. -#}
with

customer_accounts as (
    select * from {{ cdp_records_with_customer('crm_customers') }}
),

final as (
    {{ cdp_attribute_candidates('customer_accounts', observed_at='updated_at', attributes=[
        ('first_name', cdp_tidy_person_name('trim(first_name)')),
        ('last_name', cdp_tidy_person_name('trim(last_name)')),
        ('email', 'email_address'),
        ('phone', 'phone_e164'),
        ('birth_date', 'cast(birth_date as ' ~ dbt.type_string() ~ ')'),
        ('gender', 'gender'),
        ('street_address', 'trim(street_address)'),
        ('postcode', cdp_tidy_postcode('postcode', 'country_code')),
        ('city', cdp_tidy_person_name('trim(city)')),
        ('country_code', 'upper(country_code)'),
        ('marital_status', 'marital_status'),
        ('occupation', cdp_capitalise_first('trim(occupation)')),
        ('income_band', 'trim(income_band)'),
    ]) }}
)

select * from final
