{#- Survivorship: every candidate value of every golden attribute of every customer, per source, with the figures
    the rules compare and the candidate's rank; the winner (candidate_rank 1) is what dim_customers shows, and
    customer_attribute_lineage shows all of it.

    Rules, per attribute in the order the seed survivorship_rules gives (default 'trust,recency,frequency'):
      trust      lower trust_rank of the candidate's source (seed source_trust: attribute row, else '*' row, else 99)
      recency    later last_observed_at (the latest record of that source offering the value)
      frequency  more records offering the value, over all sources of the customer
    Before any rule, a suppressed candidate (undeliverable e-mail, closed loyalty card) loses to an unsuppressed one;
    after them, the value and then the source name in alphabetical order settle exact ties, so the result never
    depends on the engine. -#}
{%- set default_rule_order = 'trust,recency,frequency' -%}

with

candidates as (
    select * from {{ ref('int_customer_attribute_candidates') }}
),

trust as (
    select
        attribute_name,
        source_name,
        trust_rank
    from {{ ref('source_trust') }}
),

rules as (
    select
        attribute_name,
        lower(replace(rule_order, ' ', '')) as rule_order
    from {{ ref('survivorship_rules') }}
),

-- the latest record of each (customer, attribute, value, source), and how many records there are
numbered as (
    select
        customer_id,
        attribute_name,
        attribute_value,
        source_name,
        record_key,
        observed_at,
        is_suppressed,
        suppression_reason,
        row_number() over (
            partition by customer_id, attribute_name, attribute_value, source_name
            order by is_suppressed asc, observed_at desc nulls last, record_key desc
        ) as record_recency,
        cast(
            count(*) over (partition by customer_id, attribute_name, attribute_value, source_name) as bigint
        ) as record_count,
        min(observed_at) over (
            partition by customer_id, attribute_name, attribute_value, source_name
        ) as first_observed_at,
        -- a value is suppressed for a source only when every record of that source offering it is
        min(case when is_suppressed then 1 else 0 end) over (
            partition by customer_id, attribute_name, attribute_value, source_name
        ) as all_suppressed
    from candidates
),

per_source as (
    select
        numbered.customer_id,
        numbered.attribute_name,
        numbered.attribute_value,
        numbered.source_name,
        numbered.record_key as latest_record_key,
        numbered.record_count,
        numbered.first_observed_at,
        numbered.observed_at as last_observed_at,
        numbered.all_suppressed = 1 as is_suppressed,
        case when numbered.all_suppressed = 1 then numbered.suppression_reason end as suppression_reason,
        coalesce(attribute_trust.trust_rank, default_trust.trust_rank, 99) as trust_rank,
        coalesce(rules.rule_order, '{{ default_rule_order }}') as rule_order
    from numbered
    left join trust as attribute_trust
        on
            numbered.attribute_name = attribute_trust.attribute_name
            and numbered.source_name = attribute_trust.source_name
    left join trust as default_trust
        on default_trust.attribute_name = '*' and numbered.source_name = default_trust.source_name
    left join rules
        on numbered.attribute_name = rules.attribute_name
    where numbered.record_recency = 1
),

measured as (
    select
        *,
        cast(
            sum(record_count) over (partition by customer_id, attribute_name, attribute_value) as bigint
        ) as value_frequency,
        case when is_suppressed then 1 else 0 end as suppression_key
    from per_source
),

-- Each rule orders the candidates by its own figure: trust_rank ascending, last_observed_at descending (none last),
-- value_frequency descending. The k-th rule of the attribute's rule_order picks which of the three order keys at
-- position k applies (the other two are null for every candidate of the attribute), so one sort ranks every
-- candidate, and the runner-up's figures come from the same window.
ranked as (
    select
        *,
        -- bigint on every engine (Spark's row_number gives int)
        cast(row_number() over candidate_order as bigint) as candidate_rank,
        count(*) over (partition by customer_id, attribute_name) as candidate_count,
        lead(suppression_key) over candidate_order as next_suppression_key,
        lead(trust_rank) over candidate_order as next_trust_rank,
        lead(last_observed_at) over candidate_order as next_last_observed_at,
        lead(value_frequency) over candidate_order as next_value_frequency
    from measured
    window candidate_order as (
        partition by customer_id, attribute_name
        order by
            suppression_key asc,
            {%- for position in [1, 2, 3] %}
                {%- set rule = dbt.split_part('rule_order', "','", position) %}
                case when {{ rule }} = 'trust' then trust_rank end asc nulls last,
                case when {{ rule }} = 'recency' then last_observed_at end desc nulls last,
                case when {{ rule }} = 'frequency' then value_frequency end desc nulls last,
            {%- endfor %}
            attribute_value asc,
            source_name asc
    )
),

final as (
    select
        customer_id,
        attribute_name,
        attribute_value,
        source_name,
        candidate_rank,
        candidate_rank = 1 as is_winner,
        candidate_count,
        -- which rule put the winner ahead of the runner-up (winners only)
        case
            when candidate_rank <> 1 then null
            when candidate_count = 1 then 'only candidate'
            when next_suppression_key <> suppression_key then 'suppression'
            {%- for position in [1, 2, 3] %}
                {%- set rule = dbt.split_part('rule_order', "','", position) %}
                when not (
                    case {{ rule }}
                        when 'trust' then next_trust_rank = trust_rank
                        when 'recency' then {{ cdp_null_safe_equal('next_last_observed_at', 'last_observed_at') }}
                        when 'frequency' then next_value_frequency = value_frequency
                    end
                ) then {{ rule }}
            {%- endfor %}
            else 'tie-break'
        end as decided_by,
        rule_order,
        trust_rank,
        last_observed_at,
        first_observed_at,
        record_count,
        value_frequency,
        is_suppressed,
        suppression_reason,
        latest_record_key
    from ranked
)

select * from final
