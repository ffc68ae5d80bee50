-- A customer is in a segment once: duplicates would mean the history has two open entries for one membership.
select
    customer_id,
    segment_name,
    count(*) as row_count
from {{ ref('segment_membership') }}
group by customer_id, segment_name
having count(*) > 1
