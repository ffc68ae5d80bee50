{#- Every value a source record offers for a golden attribute of its customer, one row per (record, attribute):
    the long input of survivorship (customer_attribute_lineage). Values are lightly tidied so that the same value
    typed twice compares equal (names typed in one case, postcodes without their space, occupations in lower case).
    An e-mail or phone is a candidate only when identity resolution linked it to the same customer (so placeholders
    such as test@test.com that identity blocks never become golden). A candidate is suppressed (always loses to an
    unsuppressed one) when it is an undeliverable e-mail address or the tier of a closed loyalty card. -#}
{%- set text = dbt.type_string() -%}

{#- per source: the CTE below, and for each attribute the SQL expression of its value -#}
{%- set sources = [
    {'cte': 'crm', 'attributes': [
        ('first_name', cdp_tidy_person_name('trim(first_name)')),
        ('last_name', cdp_tidy_person_name('trim(last_name)')),
        ('email', 'email_address'),
        ('phone', 'phone_e164'),
        ('birth_date', 'cast(birth_date as ' ~ text ~ ')'),
        ('gender', 'gender'),
        ('street_address', 'trim(street_address)'),
        ('postcode', cdp_tidy_postcode('postcode', 'country_code')),
        ('city', cdp_tidy_person_name('trim(city)')),
        ('country_code', 'upper(country_code)'),
        ('marital_status', 'marital_status'),
        ('occupation', cdp_capitalise_first('trim(occupation)')),
        ('income_band', 'trim(income_band)'),
    ]},
    {'cte': 'loyalty', 'attributes': [
        ('first_name', cdp_tidy_person_name('trim(first_name)')),
        ('last_name', cdp_tidy_person_name('trim(last_name)')),
        ('email', 'email_address'),
        ('phone', 'phone_e164'),
        ('loyalty_tier', 'lower(tier)'),
    ]},
    {'cte': 'shop', 'attributes': [
        ('email', 'email_address'),
        ('phone', 'phone_e164'),
        ('postcode', cdp_tidy_postcode('shipping_postcode', 'shipping_country_code')),
        ('city', cdp_tidy_person_name('trim(shipping_city)')),
        ('country_code', 'upper(shipping_country_code)'),
    ]},
    {'cte': 'pos', 'attributes': [
        ('email', 'email_address'),
    ]},
    {'cte': 'tickets', 'attributes': [
        ('first_name', cdp_tidy_person_name('requester_first_name')),
        ('last_name', cdp_tidy_person_name('requester_last_name')),
        ('email', 'email_address'),
        ('phone', 'phone_e164'),
    ]},
    {'cte': 'chats', 'attributes': [
        ('first_name', cdp_tidy_person_name('visitor_first_name')),
        ('last_name', cdp_tidy_person_name('visitor_last_name')),
        ('email', 'email_address'),
    ]},
    {'cte': 'web', 'attributes': [
        ('email', 'email_address'),
    ]},
] -%}

with

record_map as (
    select
        source_name,
        record_key,
        customer_id
    from {{ ref('identity_record_map') }}
    where customer_id is not null
),

crm as (
    select
        record_map.customer_id,
        customer_accounts.source_name,
        customer_accounts.record_key,
        customer_accounts.updated_at as observed_at,
        customer_accounts.first_name,
        customer_accounts.last_name,
        customer_accounts.email_address,
        customer_accounts.phone_e164,
        customer_accounts.birth_date,
        customer_accounts.gender,
        customer_accounts.street_address,
        customer_accounts.postcode,
        customer_accounts.city,
        customer_accounts.country_code,
        customer_accounts.marital_status,
        customer_accounts.occupation,
        customer_accounts.income_band,
        false as is_closed
    from {{ ref('stg_crm__customers') }} as customer_accounts
    inner join record_map
        on
            customer_accounts.source_name = record_map.source_name
            and customer_accounts.record_key = record_map.record_key
),

loyalty as (
    select
        record_map.customer_id,
        members.source_name,
        members.record_key,
        members.joined_at as observed_at,
        members.first_name,
        members.last_name,
        members.email_address,
        members.phone_e164,
        members.tier,
        not coalesce(members.is_active, true) as is_closed
    from {{ ref('stg_loyalty__members') }} as members
    inner join record_map
        on
            members.source_name = record_map.source_name
            and members.record_key = record_map.record_key
),

shop as (
    select
        record_map.customer_id,
        orders.source_name,
        orders.record_key,
        orders.ordered_at as observed_at,
        orders.email_address,
        orders.phone_e164,
        orders.shipping_postcode,
        orders.shipping_city,
        orders.shipping_country_code,
        false as is_closed
    from {{ ref('stg_shop__orders') }} as orders
    inner join record_map
        on
            orders.source_name = record_map.source_name
            and orders.record_key = record_map.record_key
),

pos as (
    select
        record_map.customer_id,
        receipts.source_name,
        receipts.record_key,
        receipts.occurred_at as observed_at,
        receipts.email_address,
        false as is_closed
    from {{ ref('stg_pos__transactions') }} as receipts
    inner join record_map
        on
            receipts.source_name = record_map.source_name
            and receipts.record_key = record_map.record_key
    where receipts.email_address is not null
),

tickets as (
    select
        record_map.customer_id,
        tickets.source_name,
        tickets.record_key,
        tickets.created_at as observed_at,
        tickets.email_address,
        tickets.phone_e164,
        tickets.requester_first_name,
        tickets.requester_last_name,
        false as is_closed
    from {{ ref('stg_support__tickets') }} as tickets
    inner join record_map
        on
            tickets.source_name = record_map.source_name
            and tickets.record_key = record_map.record_key
),

chats as (
    select
        record_map.customer_id,
        chats.source_name,
        chats.record_key,
        chats.started_at as observed_at,
        chats.email_address,
        chats.visitor_first_name,
        chats.visitor_last_name,
        false as is_closed
    from {{ ref('stg_support__live_chats') }} as chats
    inner join record_map
        on
            chats.source_name = record_map.source_name
            and chats.record_key = record_map.record_key
),

web as (
    select
        record_map.customer_id,
        events.source_name,
        events.record_key,
        events.occurred_at as observed_at,
        events.email_address,
        false as is_closed
    from {{ ref('stg_web__events') }} as events
    inner join record_map
        on
            events.source_name = record_map.source_name
            and events.record_key = record_map.record_key
    where events.event_type in ('signup', 'login') and events.email_address is not null
),

-- one pass over each source: every record times the attribute names it offers, the value picked by a CASE
{% for source in sources %}
    {{ source.cte }}_attribute_names as (
        {% for attribute, expression in source.attributes %}
            select '{{ attribute }}' as attribute_name
            {% if not loop.last %}union all{% endif %}
        {% endfor %}
    ),

    {{ source.cte }}_values as (
        select
            {{ source.cte }}.customer_id,
            attribute_names.attribute_name,
            case attribute_names.attribute_name
                {%- for attribute, expression in source.attributes %}
                    when '{{ attribute }}' then cast({{ expression }} as {{ text }})
                {%- endfor %}
            end as attribute_value,
            {{ source.cte }}.source_name,
            {{ source.cte }}.record_key,
            {{ source.cte }}.observed_at,
            attribute_names.attribute_name = 'loyalty_tier' and {{ source.cte }}.is_closed as is_closed_record
        from {{ source.cte }}
        cross join {{ source.cte }}_attribute_names as attribute_names
    ),
{% endfor %}

unpivoted as (
    {% for source in sources %}
        select * from {{ source.cte }}_values
        where attribute_value is not null and attribute_value <> ''
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

linked_identifiers as (
    select
        identifier_type,
        identifier_value,
        customer_id
    from {{ ref('identity_map') }}
    where identifier_type in ('email', 'phone')
),

deliverability as (
    select
        email_address,
        is_undeliverable
    from {{ ref('int_email_deliverability') }}
),

checked as (
    select
        unpivoted.customer_id,
        unpivoted.attribute_name,
        unpivoted.attribute_value,
        unpivoted.source_name,
        unpivoted.record_key,
        unpivoted.observed_at,
        case
            when unpivoted.is_closed_record then 'closed loyalty card'
            when deliverability.is_undeliverable then 'undeliverable e-mail address'
        end as suppression_reason,
        unpivoted.attribute_name not in ('email', 'phone') or linked_identifiers.customer_id is not null as is_linked
    from unpivoted
    left join linked_identifiers
        on
            unpivoted.attribute_name = linked_identifiers.identifier_type
            and unpivoted.customer_id = linked_identifiers.customer_id
            and linked_identifiers.identifier_value = case
                when unpivoted.attribute_name = 'email' then {{ cdp_canonical_email('unpivoted.attribute_value') }}
                else unpivoted.attribute_value
            end
    left join deliverability
        on unpivoted.attribute_name = 'email' and unpivoted.attribute_value = deliverability.email_address
),

final as (
    select
        customer_id,
        attribute_name,
        attribute_value,
        source_name,
        record_key,
        observed_at,
        suppression_reason is not null as is_suppressed,
        suppression_reason
    from checked
    where is_linked
)

select * from final
