{#- Survivorship in the open, for BI and review: every candidate value of every golden attribute of every customer,
    with the figures the rules compared, its rank and which rule decided the winner (int_customer_attributes_ranked,
    where the rules are). A view: nothing is stored twice. -#}
{{ config(materialized='view') }}

with

ranked as (
    select * from {{ ref('int_customer_attributes_ranked') }}
),

final as (
    select
        customer_id,
        attribute_name,
        attribute_value,
        source_name,
        candidate_rank,
        is_winner,
        candidate_count,
        decided_by,
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
