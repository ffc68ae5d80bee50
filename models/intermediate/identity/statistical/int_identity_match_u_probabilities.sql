{#- u, the chance that two records of different people agree at a comparison level, estimated from random pairs:
    the person records drawn by a hash of their source and record key (arbitrary, but the same on every build and
    every engine, which identifier_id is not; u_sample_records of identity_match_settings), every pair of them compared. True matches among random pairs are
    too few to matter. One row per comparison and level, with the pairs it is estimated from; a level no random pair
    reached counts as half a pair (it is rare, not impossible). -#}
-- depends_on: {{ ref('identity_match_settings') }}
{%- set sample_size = cdp_identity_match_setting('u_sample_records') or 1500 %}

with

records as (
    select * from {{ ref('int_identity_person_records') }}
),

ranked as (
    select
        *,
        row_number() over (
            order by {{ dbt.hash("source_name || ':' || record_key") }}, source_name, record_key
        ) as draw_order
    from records
),

sample as (
    select * from ranked
    where draw_order <= {{ sample_size | int }}
),

compared as (
    select
        {{ cdp_identity_match_levels_sql('record_l', 'record_r') }}
    from sample as record_l
    inner join sample as record_r
        on record_l.identifier_id < record_r.identifier_id
),

{% for comparison in cdp_identity_match_comparisons() %}
    {{ comparison.name }}_counts as (
        select
            '{{ comparison.name }}' as comparison_name,
            {{ comparison.name }}_level as comparison_level,
            count(*) as pair_count
        from compared
        where {{ comparison.name }}_level >= 0
        group by {{ comparison.name }}_level
    ),
{% endfor %}

counts as (
    {% for comparison in cdp_identity_match_comparisons() %}
        select * from {{ comparison.name }}_counts
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

levels as (
    {% for comparison in cdp_identity_match_comparisons() %}
        {% for level in comparison.levels + [{'level': 0}] %}
            select
                '{{ comparison.name }}' as comparison_name,
                {{ level.level }} as comparison_level
            {% if not loop.last %}union all{% endif %}
        {% endfor %}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

counted as (
    select
        levels.comparison_name,
        levels.comparison_level,
        coalesce(counts.pair_count, 0) as pair_count
    from levels
    left join counts
        on levels.comparison_name = counts.comparison_name and levels.comparison_level = counts.comparison_level
),

final as (
    select
        comparison_name,
        cast(comparison_level as integer) as comparison_level,
        cast(pair_count as bigint) as pair_count,
        cast(sum(pair_count) over (partition by comparison_name) as bigint) as compared_pairs,
        greatest(cast(pair_count as double), 0.5) / nullif(sum(pair_count) over (partition by comparison_name), 0)
            as u_probability
    from counted
)

select * from final
