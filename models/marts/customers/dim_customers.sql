{#- The golden record: one row per customer of the identity record map, with the surviving value of each attribute
    (int_customer_attributes_ranked, candidate_rank 1), the source that supplied it and when that source last said so.
    A customer whose records offer no value for an attribute has null there (and null source). -#}
{%- set attributes = cdp_customer_attributes() -%}

with

customers as (
    select
        customer_id,
        count(*) as record_count,
        count(distinct source_name) as source_count,
        min(observed_at) as first_record_at,
        max(observed_at) as last_record_at
    from {{ ref('identity_record_map') }}
    where customer_id is not null
    group by customer_id
),

-- known: the profile holds an identifier that names a person (login, e-mail, card, phone, CRM account); how it was
-- built: one value per customer (identity_status, identity_confidence of the identity map)
customer_identity as (
    select
        identity_map.customer_id,
        max(case when identifier_types.identifies_person then 1 else 0 end) = 1 as is_known_customer,
        max(identity_map.identity_status) as identity_status,
        max(identity_map.identity_confidence) as identity_confidence
    from {{ ref('identity_map') }} as identity_map
    inner join {{ ref('identifier_types') }} as identifier_types
        on identity_map.rule_type = identifier_types.identifier_type
    where identity_map.customer_id is not null
    group by identity_map.customer_id
),

winners as (
    select
        customer_id,
        attribute_name,
        attribute_value,
        source_name,
        last_observed_at
    from {{ ref('int_customer_attributes_ranked') }}
    where is_winner
),

pivoted as (
    select
        customer_id,
        {%- for attribute in attributes %}
            max(case when attribute_name = '{{ attribute.name }}' then attribute_value end) as {{ attribute.name }},
            max(case when attribute_name = '{{ attribute.name }}' then source_name end) as {{ attribute.name }}_source,
            max(case when attribute_name = '{{ attribute.name }}' then last_observed_at end)
                as {{ attribute.name }}_observed_at,
        {%- endfor %}
        count(*) as winner_count
    from winners
    group by customer_id
),

as_of as (
    select {{ cdp_as_of_date() }} as as_of_date
),

typed as (
    select
        customers.customer_id,
        {%- for attribute in attributes %}
            {%- if attribute.data_type == 'date' %}
                {{ cdp_safe_cast('pivoted.' ~ attribute.name, 'date') }} as {{ attribute.name }},
            {%- else %}
                cast(pivoted.{{ attribute.name }} as {{ dbt.type_string() }}) as {{ attribute.name }},
            {%- endif %}
            cast(pivoted.{{ attribute.name }}_source as {{ dbt.type_string() }}) as {{ attribute.name }}_source,
            cast(pivoted.{{ attribute.name }}_observed_at as {{ dbt.type_timestamp() }})
                as {{ attribute.name }}_observed_at,
        {%- endfor %}
        as_of.as_of_date,
        coalesce(customer_identity.is_known_customer, false) as is_known_customer,
        cast(customer_identity.identity_status as {{ dbt.type_string() }}) as identity_status,
        customer_identity.identity_confidence,
        cast(customers.record_count as bigint) as record_count,
        cast(customers.source_count as bigint) as source_count,
        customers.first_record_at,
        customers.last_record_at
    from customers
    cross join as_of
    left join pivoted
        on customers.customer_id = pivoted.customer_id
    left join customer_identity
        on customers.customer_id = customer_identity.customer_id
),

with_month_days as (
    select
        *,
        extract(month from as_of_date) * 100 + extract(day from as_of_date) as as_of_month_day,
        extract(month from birth_date) * 100 + extract(day from birth_date) as birth_month_day
    from typed
),

final as (
    select
        customer_id,
        {%- for attribute in attributes %}
            {{ attribute.name }},
            {{ attribute.name }}_source,
            {{ attribute.name }}_observed_at,
        {%- endfor %}
        -- completed years on the as-of date; null when the birth date is unknown or after the as-of date
        case
            when birth_date <= as_of_date
                then cast(
                    extract(year from as_of_date) - extract(year from birth_date)
                    - case when as_of_month_day < birth_month_day then 1 else 0 end
                    as integer
                )
        end as age_years,
        as_of_date,
        is_known_customer,
        identity_status,
        identity_confidence,
        record_count,
        source_count,
        first_record_at,
        last_record_at
    from with_month_days
)

select * from final
