{#- Who is in which segment now: the declared segments (_audiences__segments.yml) compiled to SQL over
    int_audience_customer_attributes, one row per (customer, segment). int_audience_membership_history keeps
    the history of this table. -#}

with

attributes as (
    select * from {{ ref('int_audience_customer_attributes') }}
),

members as (
    {{ cdp_segment_members('attributes') }}
),

final as (
    select
        customer_id,
        segment_name,
        as_of_date
    from members
)

select * from final
