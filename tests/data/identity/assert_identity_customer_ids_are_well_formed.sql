{#- Every customer id is 'cus_' followed by 20 lower-case hex digits (a salted hash: no personal data). -#}

with

ids as (
    select
        'identity_map' as model_name,
        customer_id
    from {{ ref('identity_map') }}
    union all
    select
        'identity_record_map' as model_name,
        customer_id
    from {{ ref('identity_record_map') }}
    union all
    select
        'identity_merges' as model_name,
        merged_customer_id as customer_id
    from {{ ref('identity_merges') }}
    union all
    select
        'identity_merges' as model_name,
        surviving_customer_id as customer_id
    from {{ ref('identity_merges') }}
)

select
    model_name,
    customer_id
from ids
where customer_id is not null and not {{ cdp_regexp_like('customer_id', '^cus_[0-9a-f]{20}$') }}
