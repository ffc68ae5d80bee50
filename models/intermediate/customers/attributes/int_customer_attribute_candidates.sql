{#- Every value a source record offers for a golden attribute of its customer, one row per (record, attribute):
    the long input of survivorship (int_customer_attributes_ranked). Each source says what it offers, lightly tidied
    so that the same value typed twice compares equal, in int_customer_attribute_candidates_<source>; this model
    takes them together and checks them. An e-mail or phone is a candidate only when identity resolution linked it
    to the same customer (so placeholders such as test@test.com that identity blocks never become golden). A
    candidate is suppressed (always loses to an unsuppressed one) when it is an undeliverable e-mail address or the
    tier of a closed loyalty card. -#}
{%- set source_candidates = [
    'int_customer_attribute_candidates_crm',
    'int_customer_attribute_candidates_loyalty',
    'int_customer_attribute_candidates_shop',
    'int_customer_attribute_candidates_pos',
    'int_customer_attribute_candidates_support_tickets',
    'int_customer_attribute_candidates_live_chats',
    'int_customer_attribute_candidates_web',
] -%}

with

{% for model_name in source_candidates %}
    {{ model_name }} as (
        select * from {{ ref(model_name) }}
    ),
{% endfor %}

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

offered as (
    {% for model_name in source_candidates %}
        select
            customer_id,
            attribute_name,
            attribute_value,
            source_name,
            record_key,
            observed_at,
            is_closed_record
        from {{ model_name }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

checked as (
    select
        offered.customer_id,
        offered.attribute_name,
        offered.attribute_value,
        offered.source_name,
        offered.record_key,
        offered.observed_at,
        case
            when offered.is_closed_record then 'closed loyalty card'
            when deliverability.is_undeliverable then 'undeliverable e-mail address'
        end as suppression_reason,
        offered.attribute_name not in ('email', 'phone') or linked_identifiers.customer_id is not null as is_linked
    from offered
    left join linked_identifiers
        on
            offered.attribute_name = linked_identifiers.identifier_type
            and offered.customer_id = linked_identifiers.customer_id
            and linked_identifiers.identifier_value = case
                when offered.attribute_name = 'email' then {{ cdp_email_identity_form('offered.attribute_value') }}
                else offered.attribute_value
            end
    left join deliverability
        on offered.attribute_name = 'email' and offered.attribute_value = deliverability.email_address
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
