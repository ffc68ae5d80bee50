{#- Behavioural statistical markers: an anonymous-only profile (cookies, devices, never tied to a person) seen on the
    same IP address as one known customer's device or cookie, close in time. One row per (anonymous profile, known
    profile) that such sightings connect, with the evidence and its confidence:

    - only IP addresses used by one known profile and by at most behaviour_max_profiles_per_ip profiles in all
      (identity_match_settings) count: a hub (shared Wi-Fi, a mobile network's gateway, an office) never links;
    - a sighting counts when the two were seen on the address within behaviour_window_days of each other;
    - an anonymous profile whose sightings point to two or more known profiles links to none of them;
    - confidence = 1 - the product over the supporting addresses of (others + 1) / (others + 2), others being the
      profiles besides the pair seen on that address: even an address only the two use leaves an even chance that
      the anonymous browser is an unknown member of the household (measured on generated data: 78% of such pairs
      are one person, 36-60% when others use the address too), and each further supporting address halves the doubt.
      Decided on the deterministic profiles (int_identity_resolution). -#}
-- depends_on: {{ ref('identity_match_settings') }}
{%- set settings = cdp_identity_match_settings() -%}
{%- set window_days = (cdp_identity_match_setting('behaviour_window_days', settings) or 30) | int -%}
{%- set max_profiles = (cdp_identity_match_setting('behaviour_max_profiles_per_ip', settings) or 6) | int %}

with

identifiers as (
    select
        identifier_id,
        identifier_type,
        identifier_value,
        rule_type
    from {{ ref('int_identity_identifiers') }}
    where not is_blocked
),

markers as (
    select
        signature_id,
        identifier_type,
        identifier_value,
        first_seen_at,
        last_seen_at
    from {{ ref('int_identity_signature_markers') }}
    where identifier_type in ('ip_address', 'anonymous_id', 'device_id')
),

profiles as (
    select
        resolution.identifier_id,
        resolution.profile_key,
        identifier_types.identifies_person
    from {{ ref('int_identity_resolution') }} as resolution
    inner join identifiers
        on resolution.identifier_id = identifiers.identifier_id
    inner join {{ ref('identifier_types') }} as identifier_types
        on identifiers.rule_type = identifier_types.identifier_type
    where resolution.profile_key is not null
),

profile_kinds as (
    select
        profile_key,
        max(case when identifies_person then 1 else 0 end) = 1 as is_known
    from profiles
    group by profile_key
),

-- a device or cookie on an IP address, from the signatures that carry both
sightings as (
    select
        ip_markers.identifier_value as ip_address,
        profiles.profile_key,
        min(device_markers.first_seen_at) as first_seen_at,
        max(device_markers.last_seen_at) as last_seen_at
    from markers as ip_markers
    inner join markers as device_markers
        on
            ip_markers.signature_id = device_markers.signature_id
            and device_markers.identifier_type in ('anonymous_id', 'device_id')
    inner join identifiers
        on
            device_markers.identifier_type = identifiers.identifier_type
            and device_markers.identifier_value = identifiers.identifier_value
    inner join profiles
        on identifiers.identifier_id = profiles.identifier_id
    where ip_markers.identifier_type = 'ip_address'
    group by ip_markers.identifier_value, profiles.profile_key
),

addresses as (
    select
        sightings.ip_address,
        count(*) as profile_count,
        sum(case when profile_kinds.is_known then 1 else 0 end) as known_count
    from sightings
    inner join profile_kinds
        on sightings.profile_key = profile_kinds.profile_key
    group by sightings.ip_address
),

usable as (
    select
        sightings.*,
        addresses.profile_count,
        profile_kinds.is_known
    from sightings
    inner join addresses
        on sightings.ip_address = addresses.ip_address
    inner join profile_kinds
        on sightings.profile_key = profile_kinds.profile_key
    where addresses.known_count = 1 and addresses.profile_count <= {{ max_profiles }}
),

evidence as (
    select
        anonymous.profile_key as anonymous_profile_key,
        known.profile_key as known_profile_key,
        anonymous.ip_address,
        anonymous.profile_count - 2 as other_profiles
    from usable as anonymous
    inner join usable as known
        on anonymous.ip_address = known.ip_address
    where
        not anonymous.is_known
        and known.is_known
        and anonymous.first_seen_at <= {{ dbt.dateadd('day', window_days, 'known.last_seen_at') }}
        and known.first_seen_at <= {{ dbt.dateadd('day', window_days, 'anonymous.last_seen_at') }}
),

pairs as (
    select
        anonymous_profile_key,
        known_profile_key,
        count(*) as supporting_addresses,
        min(other_profiles) as fewest_other_profiles,
        -- the product of (others + 1) / (others + 2) over the addresses, as exp(sum(ln))
        sum(ln((other_profiles + 1.0) / (other_profiles + 2.0))) as log_doubt
    from evidence
    group by anonymous_profile_key, known_profile_key
),

candidates_per_profile as (
    select
        anonymous_profile_key,
        count(*) as known_profiles
    from pairs
    group by anonymous_profile_key
),

final as (
    select
        pairs.anonymous_profile_key,
        pairs.known_profile_key,
        cast(pairs.supporting_addresses as bigint) as supporting_addresses,
        cast(pairs.fewest_other_profiles as bigint) as fewest_other_profiles,
        cast(candidates_per_profile.known_profiles as bigint) as known_profiles,
        case when candidates_per_profile.known_profiles > 1 then 0.0 else 1 - exp(pairs.log_doubt) end as confidence
    from pairs
    inner join candidates_per_profile
        on pairs.anonymous_profile_key = candidates_per_profile.anonymous_profile_key
)

select * from final
