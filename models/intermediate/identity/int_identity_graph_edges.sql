{#- The links the resolution may use: int_identity_links less every link cut by a hub (a link X-Y is cut when X is
    a hub towards Y's type, Y a hub towards X's type, or either end a hub towards every type). Oriented from the
    stronger end (lower priority number) to the weaker end, which is the level the link is considered at. -#}

with

links as (
    select
        identifier_id_a,
        identifier_id_b,
        rule_type_a,
        rule_type_b,
        link_priority
    from {{ ref('int_identity_links') }}
),

hubs as (
    select
        identifier_id,
        partner_type
    from {{ ref('int_identity_hubs') }}
),

identifiers as (
    select
        identifier_id,
        priority
    from {{ ref('int_identity_identifiers') }}
),

hub_cuts as (
    select
        links.identifier_id_a,
        links.identifier_id_b
    from links
    inner join hubs
        on
            links.identifier_id_a = hubs.identifier_id
            and hubs.partner_type in (links.rule_type_b, '*')
    union
    select
        links.identifier_id_a,
        links.identifier_id_b
    from links
    inner join hubs
        on
            links.identifier_id_b = hubs.identifier_id
            and hubs.partner_type in (links.rule_type_a, '*')
),

kept as (
    select links.*
    from links
    left join hub_cuts
        on
            links.identifier_id_a = hub_cuts.identifier_id_a
            and links.identifier_id_b = hub_cuts.identifier_id_b
    where hub_cuts.identifier_id_a is null
),

final as (
    select
        case when end_a.priority < end_b.priority then kept.identifier_id_a else kept.identifier_id_b end
            as strong_identifier_id,
        case when end_a.priority < end_b.priority then kept.identifier_id_b else kept.identifier_id_a end
            as weak_identifier_id,
        kept.link_priority
    from kept
    inner join identifiers as end_a
        on kept.identifier_id_a = end_a.identifier_id
    inner join identifiers as end_b
        on kept.identifier_id_b = end_b.identifier_id
)

select * from final
