{#- u, the chance that two records of different people agree at a comparison level, estimated from random pairs:
    the person records drawn by a hash of their source and record key (arbitrary, but the same on every build and
    every engine, which identifier_id is not; u_sample_records of identity_match_settings), every pair of them
    compared. True matches among random pairs are too few to matter. One row per comparison and level, with the
    pairs it is estimated from; a level no random pair reached counts as half a pair (it is rare, not
    impossible). -#}
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

{#- Each comparison counts its levels over pairs of distinct values of the columns it reads, each pair standing for
    the pairs of sampled records holding those values (a value with itself for pairs of records that share it): the
    same counts as every pair of records compared, with a fraction of the comparisons (a few hundred first names
    against 1,500 records). -#}
{% for comparison in cdp_identity_match_comparisons() %}
    {%- set columns = cdp_identity_match_columns(comparison) %}
    {{ comparison.name }}_values as (
        select
            {{ columns | join(', ') }},
            count(*) as record_count,
            row_number() over (order by {{ columns | join(', ') }}) as value_order
        from sample
        where
            {% for column in comparison.columns -%}
                {{ column }} is not null{% if not loop.last %} and {% endif %}
            {%- endfor %}
        group by {{ columns | join(', ') }}
    ),

    {{ comparison.name }}_counts as (
        select
            '{{ comparison.name }}' as comparison_name,
            comparison_level,
            sum(pair_count) as pair_count
        from (
            select
                {{ cdp_identity_match_level_sql(comparison, 'value_l', 'value_r') }} as comparison_level,
                case
                    when value_l.value_order = value_r.value_order
                        then cast(value_l.record_count * (value_l.record_count - 1) / 2 as bigint)
                    else value_l.record_count * value_r.record_count
                end as pair_count
            from {{ comparison.name }}_values as value_l
            inner join {{ comparison.name }}_values as value_r
                on value_l.value_order <= value_r.value_order
        ) as value_pairs
        group by comparison_level
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
