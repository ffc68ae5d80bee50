{#- Candidate pairs of person records, found by the blocking rules of identity_blocking_rules: two records are
    compared when they agree exactly on every key of at least one rule. Keys shared by more records than the rule's
    max_block_size are skipped (a common name on a common birthday would make its block's pairs grow with the
    square), so the pairs stay near-linear in the records. Each pair once (identifier_id_l < identifier_id_r), with
    the first rule (in rule_name order) that found it, whether it agrees on each rule's keys (is_in_rule_<order>) and
    its comparison vector (cdp_identity_match_comparisons). -#}
-- depends_on: {{ ref('identity_blocking_rules') }}
{%- set rules = cdp_identity_blocking_rules() %}

with

records as (
    select * from {{ ref('int_identity_person_records') }}
),

{% for rule in rules %}
    {%- set keys = rule['keys'] %}
    rule_{{ rule.rule_order }}_blocks as (
        select {{ keys | join(', ') }}
        from records
        where {% for key in keys %}{{ key }} is not null{% if not loop.last %} and {% endif %}{% endfor %}
        group by {{ keys | join(', ') }}
        having count(*) between 2 and {{ rule.max_block_size }}
    ),

    rule_{{ rule.rule_order }}_pairs as (
        select
            record_l.identifier_id as identifier_id_l,
            record_r.identifier_id as identifier_id_r,
            {{ rule.rule_order }} as rule_order
        from rule_{{ rule.rule_order }}_blocks as blocks
        {% for side in ['record_l', 'record_r'] %}
            inner join records as {{ side }}
                on
                    {% for key in keys %}
                        blocks.{{ key }} = {{ side }}.{{ key }}{% if not loop.last %} and{% endif %}
                    {% endfor %}
        {% endfor %}
        where record_l.identifier_id < record_r.identifier_id
    ),
{% endfor %}

all_pairs as (
    {% for rule in rules %}
        select * from rule_{{ rule.rule_order }}_pairs
        union all
    {% endfor %}
    select
        identifier_id as identifier_id_l,
        identifier_id as identifier_id_r,
        0 as rule_order
    from records
    where 1 = 0
),

rule_names as (
    {% for rule in rules %}
        select
            {{ rule.rule_order }} as rule_order,
            {{ cdp_identity_literal(rule.rule_name) }} as rule_name
        union all
    {% endfor %}
    select
        0 as rule_order,
        cast(null as {{ dbt.type_string() }}) as rule_name
    from records
    where 1 = 0
),

pairs as (
    select
        identifier_id_l,
        identifier_id_r,
        min(rule_order) as rule_order
    from all_pairs
    group by identifier_id_l, identifier_id_r
),

final as (
    select
        pairs.identifier_id_l,
        pairs.identifier_id_r,
        pairs.rule_order,
        rule_names.rule_name,
        {%- for rule in rules %}
            -- whether the pair agrees on every key of this rule: its training session (int_identity_match_weights)
            {% for key in rule['keys'] -%}
                coalesce(record_l.{{ key }} = record_r.{{ key }}, false){% if not loop.last %} and {% endif %}
            {%- endfor %} as is_in_rule_{{ rule.rule_order }},
        {%- endfor %}
        {{ cdp_identity_match_levels_sql('record_l', 'record_r') }},
        {%- for comparison in cdp_identity_match_comparisons() if comparison.term_frequency %}
            -- the value both share on an exact agreement, for the term-frequency adjustment
            case
                when record_l.{{ comparison.term_frequency }} = record_r.{{ comparison.term_frequency }}
                    then record_l.{{ comparison.term_frequency }}
            end as {{ comparison.name }}_shared_value{% if not loop.last %},{% endif %}
        {%- endfor %}
    from pairs
    inner join records as record_l
        on pairs.identifier_id_l = record_l.identifier_id
    inner join records as record_r
        on pairs.identifier_id_r = record_r.identifier_id
    left join rule_names
        on pairs.rule_order = rule_names.rule_order
)

select * from final
