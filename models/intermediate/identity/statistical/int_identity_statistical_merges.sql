{#- Statistical links applied to the deterministic profiles (int_identity_resolution), never against deterministic
    evidence. One row per identifier of the resolution with its deterministic profile and the profile it ends in.

    1. Person records: each connected component of links between person records (int_identity_statistical_components)
       becomes one profile only if the result keeps every rule: at most max_profiles_per_merge deterministic
       profiles (identity_match_settings), no two of them holding a login (user_id: two accounts are two people
       unless deterministic evidence joins them), no type over its max_per_profile (identifier_types), no forced
       split (identity_overrides) inside. Otherwise nothing in it merges (status vetoed in
       audit_identity_statistical_links).
    2. Behaviour: an anonymous-only profile attaches to the one known profile its link points to (after step 1),
       unless the attachments would take that profile over a max_per_profile (then none attach to it).

    identity_confidence is the lowest confidence among the statistical links that built the identifier's final
    profile; null when deterministic links alone built it. deterministic_customer_id is the customer id the
    identifier's deterministic profile would have on its own (minted from its own anchor, as
    int_identity_customers mints every id): what consumers use who want deterministic links only. Nothing merges while the var
    cdp_identity_statistical_links is false. -#}
-- depends_on: {{ ref('identity_match_settings') }}
{%- set max_profiles = (cdp_identity_match_setting('max_profiles_per_merge') or 4) | int -%}
{%- set enabled = 'true' if var('cdp_identity_statistical_links', true) else 'false' %}

with

resolution as (
    select
        identifier_id,
        profile_key
    from {{ ref('int_identity_resolution') }}
),

identifiers as (
    select
        identifier_id,
        identifier_type,
        identifier_value,
        rule_type,
        priority,
        first_loaded_at,
        anchor_seen_at
    from {{ ref('int_identity_identifiers') }}
),

-- the anchor of each deterministic profile, ranked as int_identity_customers ranks a profile's members
deterministic_anchors as (
    select
        profile_key,
        {{ cdp_identity_customer_id('identifier_type', 'identifier_value') }} as deterministic_customer_id
    from (
        select
            resolution.profile_key,
            identifiers.identifier_type,
            identifiers.identifier_value,
            row_number() over (
                partition by resolution.profile_key
                order by
                    identifiers.first_loaded_at asc nulls last,
                    identifiers.anchor_seen_at asc nulls last,
                    identifiers.priority asc,
                    identifiers.identifier_type asc,
                    identifiers.identifier_value asc
            ) as anchor_rank
        from resolution
        inner join identifiers
            on resolution.identifier_id = identifiers.identifier_id
        where resolution.profile_key is not null
    ) as ranked
    where anchor_rank = 1
),

rules as (
    select
        identifier_type as rule_type,
        max_per_profile
    from {{ ref('identifier_types') }}
),

links as (
    select
        identifier_id_a,
        identifier_id_b,
        link_source,
        confidence
    from {{ ref('int_identity_statistical_links') }}
    where is_above_threshold and not is_confirmed and {{ enabled }}
),

components as (
    select
        node_id as profile_key,
        component_id
    from {{ ref('int_identity_statistical_components') }}
),

profile_types as (
    select
        resolution.profile_key,
        identifiers.rule_type,
        count(*) as identifier_count
    from resolution
    inner join identifiers
        on resolution.identifier_id = identifiers.identifier_id
    where resolution.profile_key is not null
    group by resolution.profile_key, identifiers.rule_type
),

-- 1. person records: the components that keep every rule
component_types as (
    select
        components.component_id,
        profile_types.rule_type,
        sum(profile_types.identifier_count) as identifier_count,
        count(*) as holding_profiles
    from components
    inner join profile_types
        on components.profile_key = profile_types.profile_key
    group by components.component_id, profile_types.rule_type
),

component_split_pairs as (
    select distinct component_of_one.component_id
    from {{ ref('int_identity_forced_splits') }} as splits
    inner join resolution as end_one
        on splits.identifier_id = end_one.identifier_id
    inner join resolution as end_other
        on splits.other_identifier_id = end_other.identifier_id
    inner join components as component_of_one
        on end_one.profile_key = component_of_one.profile_key
    inner join components as component_of_other
        on end_other.profile_key = component_of_other.profile_key
    where component_of_one.component_id = component_of_other.component_id
),

component_sizes as (
    select
        component_id,
        count(*) as profile_count
    from components
    group by component_id
),

component_problems as (
    select component_types.component_id
    from component_types
    inner join rules
        on component_types.rule_type = rules.rule_type
    where
        component_types.identifier_count > rules.max_per_profile
        or (component_types.rule_type = 'user_id' and component_types.holding_profiles > 1)
    union
    select component_id from component_split_pairs
    union
    select component_id from component_sizes
    where profile_count > {{ max_profiles }}
),

merged_profiles as (
    select
        components.profile_key,
        components.component_id as merged_key
    from components
    left join component_problems
        on components.component_id = component_problems.component_id
    where component_problems.component_id is null
),

record_confidence as (
    select
        merged_a.merged_key,
        min(links.confidence) as confidence
    from links
    inner join resolution as end_a
        on links.identifier_id_a = end_a.identifier_id
    inner join resolution as end_b
        on links.identifier_id_b = end_b.identifier_id
    inner join merged_profiles as merged_a
        on end_a.profile_key = merged_a.profile_key
    inner join merged_profiles as merged_b
        on end_b.profile_key = merged_b.profile_key
    where links.link_source = 'person_record' and merged_a.merged_key = merged_b.merged_key
    group by merged_a.merged_key
),

-- 2. behaviour: anonymous profiles attach to the (possibly merged) known profile
attachments as (
    select
        links.identifier_id_a as profile_key,
        coalesce(merged_profiles.merged_key, links.identifier_id_b) as target_key,
        links.confidence
    from links
    left join merged_profiles
        on links.identifier_id_b = merged_profiles.profile_key
    where links.link_source = 'behaviour'
),

target_types as (
    select
        coalesce(merged_profiles.merged_key, profile_types.profile_key) as target_key,
        profile_types.rule_type,
        profile_types.identifier_count
    from profile_types
    left join merged_profiles
        on profile_types.profile_key = merged_profiles.profile_key
    union all
    select
        attachments.target_key,
        profile_types.rule_type,
        profile_types.identifier_count
    from attachments
    inner join profile_types
        on attachments.profile_key = profile_types.profile_key
),

overfull_types as (
    select target_types.target_key
    from target_types
    inner join rules
        on target_types.rule_type = rules.rule_type
    group by target_types.target_key, target_types.rule_type, rules.max_per_profile
    having sum(target_types.identifier_count) > rules.max_per_profile
),

overfull_targets as (
    select distinct target_key
    from overfull_types
),

accepted_attachments as (
    select attachments.*
    from attachments
    left join overfull_targets
        on attachments.target_key = overfull_targets.target_key
    where overfull_targets.target_key is null
),

final_keys as (
    select
        resolution.identifier_id,
        resolution.profile_key as deterministic_profile_key,
        coalesce(merged_profiles.merged_key, accepted_attachments.target_key, resolution.profile_key) as profile_key,
        case
            when merged_profiles.merged_key is not null then 'person_record'
            when accepted_attachments.target_key is not null then 'behaviour'
        end as joined_by
    from resolution
    left join merged_profiles
        on resolution.profile_key = merged_profiles.profile_key
    left join accepted_attachments
        on resolution.profile_key = accepted_attachments.profile_key
),

profile_confidence as (
    select
        merged_key as profile_key,
        confidence
    from record_confidence
    union all
    select
        target_key as profile_key,
        confidence
    from accepted_attachments
),

confidences as (
    select
        profile_key,
        min(confidence) as identity_confidence
    from profile_confidence
    group by profile_key
),

final as (
    select
        final_keys.identifier_id,
        final_keys.deterministic_profile_key,
        deterministic_anchors.deterministic_customer_id,
        final_keys.profile_key,
        final_keys.joined_by,
        confidences.identity_confidence
    from final_keys
    left join confidences
        on final_keys.profile_key = confidences.profile_key
    left join deterministic_anchors
        on final_keys.deterministic_profile_key = deterministic_anchors.profile_key
)

select * from final
