{#- The identifiers a delta build may change (docs/identity.md, "Incremental builds"): those the pending loads
    carry (new links, new hub evidence, new first and last seen; blocked and statistical ones too) and every
    identifier linked to one of them (a link that a new hub cuts leaves its other end elsewhere).
    int_identity_affected widens them to whole connected components. A view: read only by a delta build. -#}
{{ config(materialized='view') }}
-- depends_on: {{ ref('int_identity_batch') }}

with

pending as (
    {{ cdp_identity_pending_loads() }}
),

markers as (
    select
        identifier_type,
        identifier_value,
        first_load_id
    from {{ ref('int_identity_signature_markers') }}
),

identifiers as (
    select
        identifier_id,
        identifier_type,
        identifier_value
    from {{ ref('int_identity_identifiers') }}
),

links as (
    select
        identifier_id_a,
        identifier_id_b
    from {{ ref('int_identity_links') }}
),

carried as (
    select distinct identifiers.identifier_id
    from markers
    inner join identifiers
        on
            markers.identifier_type = identifiers.identifier_type
            and markers.identifier_value = identifiers.identifier_value
    where markers.first_load_id in (select pending.load_id from pending)
),

final as (
    select carried.identifier_id from carried
    union
    select links.identifier_id_b as identifier_id
    from links
    inner join carried
        on links.identifier_id_a = carried.identifier_id
    union
    select links.identifier_id_a as identifier_id
    from links
    inner join carried
        on links.identifier_id_b = carried.identifier_id
)

select * from final
