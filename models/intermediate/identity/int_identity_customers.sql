{#- One row per profile with its anchor and customer id. The anchor is the profile's earliest identifier by
    (first_loaded_at, anchor_seen_at, priority, type, value): the first loaded, then the first seen within that
    load. It only changes when the profile merges with an older one (whose anchor then wins) or loses its anchor,
    so the id survives unrelated data and full rebuilds, and a statistical merge keeps the older profile's id as any
    merge does. customer_id = 'cus_' + 20 hex digits of a salted MD5 of
    the anchor (cdp_identity_customer_id). -#}

with

members as (
    select
        members.profile_key,
        members.is_force_merged,
        members.deterministic_profile_key,
        members.identity_confidence,
        identifiers.identifier_id,
        identifiers.identifier_type,
        identifiers.identifier_value,
        identifiers.priority,
        identifiers.first_loaded_at,
        identifiers.anchor_seen_at,
        identifiers.first_seen_at,
        identifiers.last_seen_at
    from {{ ref('int_identity_profile_members') }} as members
    inner join {{ ref('int_identity_identifiers') }} as identifiers
        on members.identifier_id = identifiers.identifier_id
    where members.profile_key is not null
),

ranked as (
    select
        *,
        row_number() over (
            partition by profile_key
            order by
                first_loaded_at asc nulls last,
                anchor_seen_at asc nulls last,
                priority asc,
                identifier_type asc,
                identifier_value asc
        ) as anchor_rank
    from members
),

profiles as (
    select
        profile_key,
        count(*) as identifier_count,
        min(first_seen_at) as first_seen_at,
        max(last_seen_at) as last_seen_at,
        max(case when is_force_merged then 1 else 0 end) = 1 as has_forced_merge,
        min(identity_confidence) as identity_confidence
    from members
    group by profile_key
),

final as (
    select
        {{ cdp_identity_customer_id('anchor.identifier_type', 'anchor.identifier_value') }} as customer_id,
        profiles.profile_key,
        anchor.identifier_id as anchor_identifier_id,
        anchor.identifier_type as anchor_identifier_type,
        anchor.first_loaded_at as anchor_first_loaded_at,
        profiles.identifier_count,
        profiles.first_seen_at,
        profiles.last_seen_at,
        profiles.has_forced_merge,
        -- statistical: a statistical link (int_identity_statistical_merges) joined parts that deterministic links
        -- alone keep apart; identity_confidence is the weakest such link's confidence
        case when profiles.identity_confidence is null then 'deterministic' else 'statistical' end as identity_status,
        profiles.identity_confidence,
        anchor.deterministic_profile_key as anchor_deterministic_profile_key
    from profiles
    inner join ranked as anchor
        on profiles.profile_key = anchor.profile_key and anchor.anchor_rank = 1
)

select * from final
