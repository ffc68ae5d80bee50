{#- Hubs: identifiers shared too widely to say whose they are. An identifier X that co-occurs with more than
    max_linked_per_type(T) distinct identifiers of rule type T has all its links to type T cut (partner_type = T).
    An identifier with direct evidence of sharing (int_identity_shared_devices) has all its links cut
    (partner_type = '*'). A hub never starts a profile of its own (docs/identity.md). -#}

with

links as (
    select
        identifier_id_a,
        identifier_id_b,
        rule_type_a,
        rule_type_b
    from {{ ref('int_identity_links') }}
),

both_directions as (
    select
        identifier_id_a as identifier_id,
        identifier_id_b as partner_id,
        rule_type_b as partner_type
    from links
    union all
    select
        identifier_id_b as identifier_id,
        identifier_id_a as partner_id,
        rule_type_a as partner_type
    from links
),

partners as (
    select
        identifier_id,
        partner_type,
        count(distinct partner_id) as distinct_partners
    from both_directions
    group by identifier_id, partner_type
),

limits as (
    select
        identifier_type as partner_type,
        max_linked_per_type
    from {{ ref('identifier_types') }}
),

identifiers as (
    select
        identifier_id,
        identifier_type,
        identifier_value,
        rule_type
    from {{ ref('int_identity_identifiers') }}
    where not is_blocked and is_linkable
),

too_many_partners as (
    select
        partners.identifier_id,
        partners.partner_type,
        partners.distinct_partners,
        limits.max_linked_per_type as partner_limit,
        'linked to ' || cast(partners.distinct_partners as {{ dbt.type_string() }}) || ' distinct '
        || partners.partner_type || ' (limit ' || cast(limits.max_linked_per_type as {{ dbt.type_string() }})
        || ')' as reason
    from partners
    inner join limits
        on partners.partner_type = limits.partner_type
    where partners.distinct_partners > limits.max_linked_per_type
),

shared_devices as (
    select
        identifiers.identifier_id,
        '*' as partner_type,
        cast(null as bigint) as distinct_partners,
        cast(null as integer) as partner_limit,
        'push token received ' || cast(shared.repeated_campaigns as {{ dbt.type_string() }})
        || ' campaign(s) more than once: two app accounts are subscribed on one device' as reason
    from {{ ref('int_identity_shared_devices') }} as shared
    inner join identifiers
        on
            shared.identifier_type = identifiers.identifier_type
            and shared.identifier_value = identifiers.identifier_value
),

hubs as (
    select * from too_many_partners
    union all
    select * from shared_devices
),

final as (
    select
        hubs.identifier_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.rule_type,
        hubs.partner_type,
        hubs.distinct_partners,
        hubs.partner_limit,
        hubs.reason
    from hubs
    inner join identifiers
        on hubs.identifier_id = identifiers.identifier_id
)

select * from final
