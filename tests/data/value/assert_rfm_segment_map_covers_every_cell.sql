{#- Every one of the 125 RFM cells (scores 1-5 each) must get a segment from the seed rfm_segments, so an edit of the
    map can never leave buyers without a segment. Returns the cells no row covers. -#}
with

segments as (
    select * from {{ ref('rfm_segments') }}
),

scores as (
    select 1 as score
    union all
    select 2 as score
    union all
    select 3 as score
    union all
    select 4 as score
    union all
    select 5 as score
),

cells as (
    select
        recency.score as recency_score,
        frequency.score as frequency_score,
        monetary.score as monetary_score
    from scores as recency
    cross join scores as frequency
    cross join scores as monetary
)

select cells.*
from cells
left join segments
    on
        cells.recency_score between segments.recency_score_min and segments.recency_score_max
        and cells.frequency_score between segments.frequency_score_min and segments.frequency_score_max
        and cells.monetary_score between segments.monetary_score_min and segments.monetary_score_max
where segments.rfm_segment is null
