{#- The person records statistical matching compares: every CRM account and loyalty card (the systems whose own id
    is an identifier of its own: crm_account, loyalty_card) with the personal details it carries, normalised for
    comparison (names as letters only with nicknames folded, postcodes without spaces, phone tails). One row per
    usable (unblocked) identifier. Blocked e-mails and phones (test@test.com) and fixed lines (identifier_type_refinements:
    a household's number) are left out: they say nothing about which person a record is. -#}

with

crm as (
    select
        'crm_customers' as source_name,
        'crm_account' as identifier_type,
        crm_customer_id as record_key,
        first_name,
        last_name,
        birth_date,
        street_address,
        postcode,
        city,
        phone_e164,
        email_canonical
    from {{ ref('stg_crm__customers') }}
),

loyalty as (
    select
        'loyalty_members' as source_name,
        'loyalty_card' as identifier_type,
        loyalty_card_number as record_key,
        first_name,
        last_name,
        cast(null as date) as birth_date,
        cast(null as {{ dbt.type_string() }}) as street_address,
        cast(null as {{ dbt.type_string() }}) as postcode,
        cast(null as {{ dbt.type_string() }}) as city,
        phone_e164,
        email_canonical
    from {{ ref('stg_loyalty__members') }}
),

identifiers as (
    select
        identifier_id,
        identifier_type,
        identifier_value
    from {{ ref('int_identity_identifiers') }}
    where not is_blocked and identifier_type in ('crm_account', 'loyalty_card')
),

personal_contacts as (
    select
        identifier_type,
        identifier_value
    from {{ ref('int_identity_identifiers') }}
    where not is_blocked and rule_type in ('email', 'phone')
),

nicknames as (
    select
        nickname,
        given_name
    from {{ ref('name_nicknames') }}
),

records as (
    select * from crm
    union all
    select * from loyalty
),

normalised as (
    select
        identifiers.identifier_id,
        records.source_name,
        records.record_key,
        {{ cdp_identity_match_name('records.first_name') }} as first_name,
        {{ cdp_identity_match_name('records.last_name') }} as last_name,
        records.birth_date,
        upper(replace(records.postcode, ' ', '')) as postcode,
        nullif({{ cdp_regexp_replace('lower(records.street_address)', '[^a-z0-9]', '') }}, '') as street,
        {{ cdp_identity_match_name('records.city') }} as city,
        phones.identifier_value as phone,
        emails.identifier_value as email
    from records
    inner join identifiers
        on
            records.identifier_type = identifiers.identifier_type
            and records.record_key = identifiers.identifier_value
    left join personal_contacts as phones
        on phones.identifier_type = 'phone' and records.phone_e164 = phones.identifier_value
    left join personal_contacts as emails
        on emails.identifier_type = 'email' and records.email_canonical = emails.identifier_value
),

final as (
    select
        normalised.identifier_id,
        normalised.source_name,
        normalised.record_key,
        normalised.first_name,
        -- nicknames folded (bob -> robert): the blocking key and the nickname level of the first-name comparison
        coalesce(nicknames.given_name, normalised.first_name) as first_name_key,
        {{ cdp_identity_sorted_letters('normalised.first_name') }} as first_name_letters,
        normalised.last_name,
        {{ cdp_identity_sorted_letters('normalised.last_name') }} as last_name_letters,
        normalised.birth_date,
        cast(normalised.birth_date as {{ dbt.type_string() }}) as birth_date_text,
        -- the same date with day and month swapped (2 March for 3 February), as typed by someone used to the other
        -- order; null when the swap is no date (a day after 12)
        case
            when extract(day from normalised.birth_date) <= 12
                then
                    substring(cast(normalised.birth_date as {{ dbt.type_string() }}), 1, 5)
                    || substring(cast(normalised.birth_date as {{ dbt.type_string() }}), 9, 2) || '-'
                    || substring(cast(normalised.birth_date as {{ dbt.type_string() }}), 6, 2)
        end as birth_date_swapped,
        normalised.postcode,
        -- the outward code of a UK postcode (SW1A 1AA -> SW1A): the district
        case
            when length(normalised.postcode) >= 5
                then substring(normalised.postcode, 1, length(normalised.postcode) - 3)
        end as postcode_district,
        normalised.street,
        normalised.city,
        normalised.phone,
        -- the last six digits: the same line written with another prefix, or a number typed with one digit wrong
        -- before them
        case when length(normalised.phone) >= 8 then substring(normalised.phone, length(normalised.phone) - 5, 6) end
            as phone_tail,
        normalised.email
    from normalised
    left join nicknames
        on normalised.first_name = nicknames.nickname
)

select * from final
