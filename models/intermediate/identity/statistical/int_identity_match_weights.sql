{#- The Fellegi-Sunter parameters of statistical matching, estimated on this build's data without labels: one row per
    comparison and level with m (the chance that two records of one person agree at that level, estimated by
    expectation-maximisation on the candidate pairs: cdp_identity_fellegi_sunter_em), u (the chance for two people:
    random pairs) and the match weight log2(m / u) it adds to a pair; plus one row `prior` whose weight is
    log2(p / (1 - p)) for p the chance that two person records drawn at random match: the matches EM expects among
    the candidate pairs over all pairs of records (blocking only chooses which pairs to compare; it is no evidence).
    Level -1 (either side lacks the field) weighs nothing. -#}
-- depends_on: {{ ref('int_identity_match_candidates') }}
-- depends_on: {{ ref('int_identity_match_u_probabilities') }}
-- depends_on: {{ ref('identity_blocking_rules') }}
-- depends_on: {{ ref('identity_match_settings') }}
{%- set comparisons = cdp_identity_match_comparisons() -%}
{%- set fitted = none -%}
{%- if execute and load_relation(ref('int_identity_match_candidates')) is not none
      and load_relation(ref('int_identity_match_u_probabilities')) is not none -%}
    {%- set level_columns = [] -%}
    {%- for comparison in comparisons -%}{%- do level_columns.append(comparison.name ~ '_level') -%}{%- endfor -%}
    {#- the comparison vectors of each training rule's pairs (every pair that agrees on the rule's keys), counted -#}
    {%- set rules = cdp_identity_blocking_rules() -%}
    {%- set sessions = [] -%}
    {%- for rule in rules -%}
        {%- do sessions.append('select ' ~ rule.rule_order ~ ' as rule_order, ' ~ (level_columns | join(', '))
            ~ ', count(*) as pair_count from ' ~ ref('int_identity_match_candidates')
            ~ ' where is_in_rule_' ~ rule.rule_order ~ ' group by ' ~ (level_columns | join(', '))) -%}
    {%- endfor -%}
    {%- do sessions.append('select 0 as rule_order, ' ~ (level_columns | join(', '))
        ~ ', count(*) as pair_count from ' ~ ref('int_identity_match_candidates')
        ~ ' group by ' ~ (level_columns | join(', '))) -%}
    {%- set pattern_result = run_query(
        'select * from (' ~ (sessions | join(' union all ')) ~ ') as sessions order by rule_order, '
        ~ (level_columns | join(', '))) -%}
    {%- set patterns = [] -%}
    {%- for row in pattern_result.rows -%}{%- do patterns.append(row | list) -%}{%- endfor -%}
    {%- set u = {} -%}
    {%- for comparison in comparisons -%}{%- do u.update({comparison.name: {}}) -%}{%- endfor -%}
    {%- set u_result = run_query('select comparison_name, comparison_level, u_probability from '
        ~ ref('int_identity_match_u_probabilities')) -%}
    {%- for row in u_result.rows if row[0] in u -%}
        {%- do u[row[0]].update({row[1] | int: row[2] | float}) -%}
    {%- endfor -%}
    {%- set fitted = cdp_identity_fellegi_sunter_em(
        patterns, u, rules, (cdp_identity_match_setting('em_iterations') or 25) | int) -%}
{%- endif %}

with

u as (
    select
        comparison_name,
        comparison_level,
        u_probability
    from {{ ref('int_identity_match_u_probabilities') }}
),

m as (
    {% for comparison in comparisons %}
        {%- set levels = comparison.levels + [{'level': 0, 'label': 'different'}] %}
        {% for level in levels %}
            select
                '{{ comparison.name }}' as comparison_name,
                {{ level.level }} as comparison_level,
                {{ cdp_identity_literal(level.label) }} as level_label,
                cast({{ fitted.m[comparison.name][level.level] if fitted
                        and fitted.m[comparison.name][level.level] is not none else 'null' }} as double)
                    as m_probability
            {% if not loop.last %}union all{% endif %}
        {% endfor %}
        union all
    {% endfor %}
    select
        'prior' as comparison_name,
        0 as comparison_level,
        'chance that two person records drawn at random match' as level_label,
        cast({{ fitted.prior if fitted else 'null' }} as double)
        * (select count(*) from {{ ref('int_identity_match_candidates') }})
        / nullif((select count(*) * (count(*) - 1) / 2.0 from {{ ref('int_identity_person_records') }}), 0)
            as m_probability
),

final as (
    select
        m.comparison_name,
        cast(m.comparison_level as integer) as comparison_level,
        m.level_label,
        m.m_probability,
        case when m.comparison_name = 'prior' then 1 - m.m_probability else u.u_probability end as u_probability,
        ln(m.m_probability / case when m.comparison_name = 'prior' then 1 - m.m_probability else u.u_probability end)
        / ln(2) as match_weight
    from m
    left join u
        on m.comparison_name = u.comparison_name and m.comparison_level = u.comparison_level
)

select * from final
