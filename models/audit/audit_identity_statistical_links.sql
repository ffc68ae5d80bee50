{#- Every statistical link from review_min_probability up (int_identity_statistical_links), for the people who review
    them: the two identifiers, where the link comes from, its confidence, what became of it (link_status) and, for a
    pair of person records, each field's agreement level and the weight it added (int_identity_match_scores: the
    match weight is the sum of the weights, the confidence 2^w / (1 + 2^w)).

    link_status: confirmed (deterministic links alone already join both ends), linked (the link built the profile),
    vetoed (above its threshold, but the merge it asked for broke a rule: int_identity_statistical_merges), disabled
    (var cdp_identity_statistical_links is false), missing_evidence (probable enough, but without the evidence
    cdp_identity_match_evidence_sql requires) or below_threshold. -#}
-- depends_on: {{ ref('identity_match_settings') }}
{%- set comparisons = cdp_identity_match_comparisons() %}

with

links as (
    select * from {{ ref('int_identity_statistical_links') }}
),

scores as (
    select * from {{ ref('int_identity_match_scores') }}
),

behaviour as (
    select * from {{ ref('int_identity_behaviour_scores') }}
),

assignments as (
    select
        identifier_id,
        identifier_type,
        identifier_value,
        customer_id
    from {{ ref('int_identity_assignments') }}
),

statuses as (
    select
        links.*,
        case
            when links.is_confirmed then 'confirmed'
            when links.is_above_threshold and end_a.customer_id = end_b.customer_id then 'linked'
            when links.is_above_threshold and {{ 'false' if var('cdp_identity_statistical_links', true) else 'true' }}
                then 'disabled'
            when links.is_above_threshold then 'vetoed'
            when links.is_probable then 'missing_evidence'
            else 'below_threshold'
        end as link_status,
        end_a.identifier_type as identifier_type_a,
        end_a.identifier_value as identifier_value_a,
        end_b.identifier_type as identifier_type_b,
        end_b.identifier_value as identifier_value_b,
        case when links.is_above_threshold and end_a.customer_id = end_b.customer_id then end_a.customer_id end
            as customer_id,
        scores.rule_name as blocking_rule,
        {%- for comparison in comparisons %}
            scores.{{ comparison.name }}_level,
            scores.{{ comparison.name }}_weight,
        {%- endfor %}
        scores.prior_weight,
        scores.match_weight,
        behaviour.supporting_addresses,
        behaviour.fewest_other_profiles
    from links
    left join assignments as end_a
        on links.identifier_id_a = end_a.identifier_id
    left join assignments as end_b
        on links.identifier_id_b = end_b.identifier_id
    left join scores
        on
            links.link_source = 'person_record'
            and links.identifier_id_a = scores.identifier_id_l
            and links.identifier_id_b = scores.identifier_id_r
    left join behaviour
        on
            links.link_source = 'behaviour'
            and links.identifier_id_a = behaviour.anonymous_profile_key
            and links.identifier_id_b = behaviour.known_profile_key
),

final as (
    select
        identifier_type_a,
        identifier_value_a,
        identifier_type_b,
        identifier_value_b,
        link_source,
        confidence,
        link_status,
        customer_id,
        blocking_rule,
        {%- for comparison in comparisons %}
            {{ comparison.name }}_level,
            {{ comparison.name }}_weight,
        {%- endfor %}
        prior_weight,
        match_weight,
        supporting_addresses,
        fewest_other_profiles
    from statuses
)

select * from final
