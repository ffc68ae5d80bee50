-- product_affinity: one row per level, association type, channel, antecedent and consequent; the antecedent is not
-- the consequent; counts fit inside each other and reach the minimum pair support; support and confidence are
-- fractions in (0, 1]; lift is positive and equals pair x baskets / (antecedent x consequent); every rule has its
-- reverse with the same pair count and lift.
with

affinity as (
    select * from {{ ref('product_affinity') }}
),

duplicates as (
    select
        affinity_level,
        association_type,
        channel,
        antecedent_key,
        consequent_key,
        'duplicate row' as problem
    from affinity
    group by affinity_level, association_type, channel, antecedent_key, consequent_key
    having count(*) > 1
),

out_of_range as (
    select
        affinity_level,
        association_type,
        channel,
        antecedent_key,
        consequent_key,
        'measure out of range' as problem
    from affinity
    where
        antecedent_key = consequent_key
        or pair_basket_count < {{ var('recommendations_min_pair_baskets') }}
        or pair_basket_count > antecedent_basket_count
        or pair_basket_count > consequent_basket_count
        or antecedent_basket_count > basket_count
        or consequent_basket_count > basket_count
        or not (support > 0 and support <= 1)
        or not (confidence > 0 and confidence <= 1)
        or not lift > 0
        or abs(
            lift - cast(pair_basket_count as double) * basket_count
            / (cast(antecedent_basket_count as double) * consequent_basket_count)
        ) > 1e-9
        or (association_type = 'co_view' and channel <> 'online')
),

unpaired as (
    select
        forward_rule.affinity_level,
        forward_rule.association_type,
        forward_rule.channel,
        forward_rule.antecedent_key,
        forward_rule.consequent_key,
        'no reverse rule with the same pair count and lift' as problem
    from affinity as forward_rule
    left join affinity as reverse_rule
        on
            forward_rule.affinity_level = reverse_rule.affinity_level
            and forward_rule.association_type = reverse_rule.association_type
            and forward_rule.channel = reverse_rule.channel
            and forward_rule.antecedent_key = reverse_rule.consequent_key
            and forward_rule.consequent_key = reverse_rule.antecedent_key
            and forward_rule.pair_basket_count = reverse_rule.pair_basket_count
            and abs(forward_rule.lift - reverse_rule.lift) <= 1e-9
    where reverse_rule.antecedent_key is null
),

final as (
    select * from duplicates
    union all
    select * from out_of_range
    union all
    select * from unpaired
)

select * from final
