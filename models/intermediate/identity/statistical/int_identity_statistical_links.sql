{#- Statistical links (link_kind 'statistical'): pairs of identifiers the evidence says are probably one person,
    each with its confidence. Two sources:

    - person_record: two person records (a CRM account, a loyalty card) whose match probability
      (int_identity_match_scores) reaches review_min_probability;
    - behaviour: an anonymous-only profile seen on a known customer's IP address (int_identity_behaviour_scores);
      its ends are the two deterministic profiles' keys (the id of one member each).

    is_probable: the confidence reaches person_record_min_probability or behaviour_min_confidence
    (identity_match_settings). is_above_threshold: probable, and a pair of person records shows the evidence
    cdp_identity_match_evidence_sql requires; only those may build profiles (int_identity_statistical_merges), and
    only while the var cdp_identity_statistical_links is true. is_confirmed: deterministic links alone already put
    both ends in one profile. -#}
-- depends_on: {{ ref('identity_match_settings') }}
{%- set settings = cdp_identity_match_settings() -%}
{%- set review = cdp_identity_match_setting('review_min_probability', settings) or 0.5 -%}
{%- set record_threshold = cdp_identity_match_setting('person_record_min_probability', settings) or 0.995 -%}
{%- set behaviour_threshold = cdp_identity_match_setting('behaviour_min_confidence', settings) or 0.995 %}

with

record_pairs as (
    select
        identifier_id_l as identifier_id_a,
        identifier_id_r as identifier_id_b,
        'person_record' as link_source,
        match_probability as confidence,
        match_probability >= {{ record_threshold }} as is_probable,
        has_required_evidence
    from {{ ref('int_identity_match_scores') }}
    where match_probability >= {{ review }}
),

behaviour_pairs as (
    select
        anonymous_profile_key as identifier_id_a,
        known_profile_key as identifier_id_b,
        'behaviour' as link_source,
        confidence,
        confidence >= {{ behaviour_threshold }} as is_probable,
        true as has_required_evidence
    from {{ ref('int_identity_behaviour_scores') }}
    where confidence >= {{ review }}
),

links as (
    select * from record_pairs
    union all
    select * from behaviour_pairs
),

resolution as (
    select
        identifier_id,
        profile_key
    from {{ ref('int_identity_resolution') }}
),

final as (
    select
        links.identifier_id_a,
        links.identifier_id_b,
        'statistical' as link_kind,
        links.link_source,
        links.confidence,
        links.is_probable,
        links.is_probable and links.has_required_evidence as is_above_threshold,
        coalesce(end_a.profile_key = end_b.profile_key, false) as is_confirmed
    from links
    left join resolution as end_a
        on links.identifier_id_a = end_a.identifier_id
    left join resolution as end_b
        on links.identifier_id_b = end_b.identifier_id
)

select * from final
