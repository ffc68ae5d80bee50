{#- Churn-risk band per customer as of the reference date, from two signals: the BG/NBD probability that the
    customer is still active (customer_ltv.probability_alive) and the churn signal of the customer's RFM segment
    (seed rfm_segments: 'at_risk' for About to Sleep, Need Attention, At Risk, Can't Lose Them; 'lapsed' for
    Hibernating and Lost). Rules, first match wins (thresholds are vars churn_p_alive_*):
      lapsed  segment signal 'lapsed', or probability_alive < churn_p_alive_lapsed
      high    probability_alive < churn_p_alive_high, or signal 'at_risk' and probability_alive < churn_p_alive_medium
      medium  signal 'at_risk', or probability_alive < churn_p_alive_medium
      low     otherwise
    BG/NBD gives one-time buyers probability_alive 1 (no dropout before a repeat purchase), so for them the RFM
    segment decides. Customers without a purchase get no band. -#}
with

rfm as (
    select * from {{ ref('customer_rfm') }}
),

ltv as (
    select * from {{ ref('customer_ltv') }}
),

signals as (
    select
        rfm.customer_id,
        rfm.as_of_date,
        rfm.has_purchased,
        rfm.rfm_segment,
        rfm.churn_signal,
        ltv.probability_alive,
        ltv.btyd_frequency
    from rfm
    inner join ltv
        on rfm.customer_id = ltv.customer_id
),

final as (
    select
        customer_id,
        as_of_date,
        has_purchased,
        probability_alive,
        rfm_segment,
        churn_signal,
        case
            when not has_purchased then null
            when churn_signal = 'lapsed' or probability_alive < {{ var('churn_p_alive_lapsed') }} then 'lapsed'
            when
                probability_alive < {{ var('churn_p_alive_high') }}
                or (churn_signal = 'at_risk' and probability_alive < {{ var('churn_p_alive_medium') }})
                then 'high'
            when churn_signal = 'at_risk' or probability_alive < {{ var('churn_p_alive_medium') }} then 'medium'
            else 'low'
        end as churn_risk_band,
        case
            when not has_purchased then null
            when churn_signal = 'lapsed' then 'rfm_segment'
            when probability_alive < {{ var('churn_p_alive_lapsed') }} then 'probability_alive'
            when probability_alive < {{ var('churn_p_alive_high') }} then 'probability_alive'
            when churn_signal = 'at_risk' and probability_alive < {{ var('churn_p_alive_medium') }} then 'both'
            when churn_signal = 'at_risk' then 'rfm_segment'
            when probability_alive < {{ var('churn_p_alive_medium') }} then 'probability_alive'
            else 'neither'
        end as churn_risk_driver
    from signals
)

select * from final
