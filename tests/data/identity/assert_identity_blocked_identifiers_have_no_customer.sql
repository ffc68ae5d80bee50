{#- A blocked identifier (identifier_blocklist, identifier_block_patterns) never carries a customer id, never
    appears in the identity map and never decides a record's customer. -#}

with

blocked as (
    select
        identifier_type,
        identifier_value,
        customer_id
    from {{ ref('int_identity_assignments') }}
    where is_blocked
),

with_customer as (
    select
        identifier_type,
        identifier_value,
        'blocked identifier has a customer' as problem
    from blocked
    where customer_id is not null
),

in_map as (
    select
        identity_map.identifier_type,
        identity_map.identifier_value,
        'blocked identifier is in identity_map' as problem
    from {{ ref('identity_map') }} as identity_map
    inner join blocked
        on
            identity_map.identifier_type = blocked.identifier_type
            and identity_map.identifier_value = blocked.identifier_value
),

listed_but_usable as (
    select
        identity_map.identifier_type,
        identity_map.identifier_value,
        'value of identifier_blocklist is usable' as problem
    from {{ ref('identity_map') }} as identity_map
    inner join {{ ref('identifier_blocklist') }} as blocklist
        on
            identity_map.identifier_type = blocklist.identifier_type
            and identity_map.identifier_value = blocklist.identifier_value
)

select * from with_customer
union all
select * from in_map
union all
select * from listed_but_usable
