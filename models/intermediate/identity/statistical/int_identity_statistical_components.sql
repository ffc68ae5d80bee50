{#- The deterministic profiles that statistical links between person records would join: connected components of
    the links above their threshold, between two different deterministic profiles (int_identity_resolution), while
    the var cdp_identity_statistical_links is true. int_identity_statistical_merges checks each component against
    the rules before it merges anything. -#}
{{ config(materialized='connected_components', node_a='profile_key_a', node_b='profile_key_b') }}

with

links as (
    select
        identifier_id_a,
        identifier_id_b
    from {{ ref('int_identity_statistical_links') }}
    where
        link_source = 'person_record'
        and is_above_threshold
        and not is_confirmed
        and {{ 'true' if var('cdp_identity_statistical_links', true) else 'false' }}
),

resolution as (
    select
        identifier_id,
        profile_key
    from {{ ref('int_identity_resolution') }}
    where profile_key is not null
),

final as (
    select distinct
        end_a.profile_key as profile_key_a,
        end_b.profile_key as profile_key_b
    from links
    inner join resolution as end_a
        on links.identifier_id_a = end_a.identifier_id
    inner join resolution as end_b
        on links.identifier_id_b = end_b.identifier_id
)

select * from final
