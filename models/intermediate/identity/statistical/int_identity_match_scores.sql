{#- Every candidate pair of person records scored (Fellegi-Sunter): per comparison its level and the weight that
    level adds (int_identity_match_weights; on an exact agreement of a name or city the weight is log2(m / f), f the
    share of person records with that value: the term-frequency adjustment), the pair's match weight (the prior's
    weight plus every comparison's) and its match probability 2^w / (1 + 2^w), and whether it shows the evidence a
    link needs besides its probability (cdp_identity_match_evidence_sql). The explanation of every statistical link
    between person records. -#}
-- depends_on: {{ ref('identity_match_settings') }}
{%- set comparisons = cdp_identity_match_comparisons() %}

with

candidates as (
    select * from {{ ref('int_identity_match_candidates') }}
),

weights as (
    select
        comparison_name,
        comparison_level,
        m_probability,
        match_weight
    from {{ ref('int_identity_match_weights') }}
),

records as (
    select * from {{ ref('int_identity_person_records') }}
),

{% for comparison in comparisons if comparison.term_frequency %}
    {{ comparison.name }}_frequencies as (
        select
            {{ comparison.term_frequency }} as shared_value,
            cast(count(*) as double) / sum(count(*)) over () as value_share
        from records
        where {{ comparison.term_frequency }} is not null
        group by {{ comparison.term_frequency }}
    ),
{% endfor %}

weighed as (
    select
        candidates.identifier_id_l,
        candidates.identifier_id_r,
        candidates.rule_name,
        {% for comparison in comparisons %}
            candidates.{{ comparison.name }}_level,
            {%- if comparison.term_frequency %}
                case
                    when
                        candidates.{{ comparison.name }}_level = {{ comparison.levels[0].level }}
                        and {{ comparison.name }}_frequencies.value_share is not null
                        then
                            ln(
                                {{ comparison.name }}_weight.m_probability
                                / {{ comparison.name }}_frequencies.value_share
                            ) / ln(2)
                    else coalesce({{ comparison.name }}_weight.match_weight, 0)
                end as {{ comparison.name }}_weight,
            {%- else %}
                coalesce({{ comparison.name }}_weight.match_weight, 0) as {{ comparison.name }}_weight,
            {%- endif %}
        {% endfor %}
        prior_level.match_weight as prior_weight
    from candidates
    cross join weights as prior_level
    {% for comparison in comparisons %}
        left join weights as {{ comparison.name }}_weight
            on
                {{ comparison.name }}_weight.comparison_name = '{{ comparison.name }}'
                and candidates.{{ comparison.name }}_level = {{ comparison.name }}_weight.comparison_level
        {% if comparison.term_frequency %}
            left join {{ comparison.name }}_frequencies
                on candidates.{{ comparison.name }}_shared_value = {{ comparison.name }}_frequencies.shared_value
        {% endif %}
    {% endfor %}
    where prior_level.comparison_name = 'prior'
),

summed as (
    select
        *,
        prior_weight
        {% for comparison in comparisons %}
            + {{ comparison.name }}_weight
        {% endfor %} as match_weight
    from weighed
),

final as (
    select
        summed.identifier_id_l,
        summed.identifier_id_r,
        summed.rule_name,
        {% for comparison in comparisons %}
            cast(summed.{{ comparison.name }}_level as integer) as {{ comparison.name }}_level,
            summed.{{ comparison.name }}_weight,
        {% endfor %}
        summed.prior_weight,
        summed.match_weight,
        1 / (1 + power(2, -summed.match_weight)) as match_probability,
        {{ cdp_identity_match_evidence_sql('summed') }} as has_required_evidence
    from summed
)

select * from final
