{#- Hubs: identifiers linked to too many distinct identifiers of one type (or with direct evidence of sharing),
    whose links to that type were cut before the profiles were built. -#}

with

hubs as (
    select * from {{ ref('int_identity_hubs') }}
),

links as (
    select
        identifier_id_a,
        identifier_id_b,
        rule_type_a,
        rule_type_b
    from {{ ref('int_identity_links') }}
),

-- each end of a link on its own equality join (a join on "a or b" compares every hub with every link)
hub_ends as (
    select
        hubs.identifier_id,
        hubs.partner_type
    from hubs
    inner join links
        on
            hubs.identifier_id = links.identifier_id_a
            and hubs.partner_type in (links.rule_type_b, '*')
    union all
    select
        hubs.identifier_id,
        hubs.partner_type
    from hubs
    inner join links
        on
            hubs.identifier_id = links.identifier_id_b
            and hubs.partner_type in (links.rule_type_a, '*')
),

cut_links as (
    select
        identifier_id,
        partner_type,
        count(*) as links_cut
    from hub_ends
    group by identifier_id, partner_type
),

final as (
    select
        hubs.identifier_type,
        hubs.identifier_value,
        hubs.rule_type,
        hubs.partner_type,
        hubs.distinct_partners,
        hubs.partner_limit,
        coalesce(cut_links.links_cut, 0) as links_cut,
        hubs.reason,
        assignments.customer_id,
        assignments.resolution_status
    from hubs
    left join cut_links
        on hubs.identifier_id = cut_links.identifier_id and hubs.partner_type = cut_links.partner_type
    left join {{ ref('int_identity_assignments') }} as assignments
        on hubs.identifier_id = assignments.identifier_id
)

select * from final
