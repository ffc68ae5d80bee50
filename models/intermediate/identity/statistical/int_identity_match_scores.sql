{#- Every candidate pair of person records scored (Fellegi-Sunter): per comparison its level and the weight that
    level adds (int_identity_match_weights; on an exact agreement of a name or city the weight is log2(m / f), f the
    share of person records with that value: the term-frequency adjustment), the pair's match weight (the prior's
    weight plus every comparison's) and its match probability 2^w / (1 + 2^w), and whether it shows the evidence a
    link needs besides its probability (cdp_identity_match_evidence_sql). The explanation of every statistical link
    between person records. -#}
{%- set comparisons = cdp_identity_match_comparisons() %}
{#- The evidence settings are read in SQL below; read here too so that a seed without their rows stops the build -#}
{%- do cdp_identity_match_setting('address_needs_personal_evidence') %}
{%- do cdp_identity_match_setting('address_homonym_max_share') %}

with

candidates as (
    select * from {{ ref('int_identity_match_candidates') }}
),

settings as (
    select
        setting,
        value
    from {{ ref('identity_match_settings') }}
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

{# Per first-name level: of the pairs at one address whose surnames agree exactly and whose birth dates both
    records give, the share that disagree on the birth date: different people of one name under one roof (a
    father and son, or the generator's hard negatives). A missing birth date says nothing either way, so at a level
    where that share is high, such a pair may be two people however well its names agree. #}
address_homonyms as (
    select
        first_name_level,
        avg(case when birth_date_level = 0 then 1.0 else 0.0 end) as address_homonym_share
    from candidates
    where
        address_level >= 2
        and last_name_level = {{ (comparisons | selectattr('name', 'equalto', 'last_name') | first).levels[0].level }}
        and birth_date_level >= 0
    group by first_name_level
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

evidence_settings as (
    select
        max(case when setting = 'address_needs_personal_evidence' then value end) as address_needs_personal_evidence,
        max(case when setting = 'address_homonym_max_share' then value end) as address_homonym_max_share
    from settings
),

summed as (
    select
        weighed.*,
        address_homonyms.address_homonym_share,
        evidence_settings.address_needs_personal_evidence,
        evidence_settings.address_homonym_max_share,
        weighed.prior_weight
        {% for comparison in comparisons %}
            + weighed.{{ comparison.name }}_weight
        {% endfor %} as match_weight
    from weighed
    cross join evidence_settings
    left join address_homonyms
        on weighed.first_name_level = address_homonyms.first_name_level
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
        summed.address_homonym_share,
        {{ cdp_identity_match_evidence_sql('summed') }} as has_required_evidence
    from summed
)

select * from final
