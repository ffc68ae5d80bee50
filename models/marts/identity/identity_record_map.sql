{#- Every staged record of every person-bearing source with the customer it belongs to: the customer of its
    strongest identifier that has one (lowest priority number). Records without such an identifier have a null
    customer_id and unresolved_reason says why. has_conflicting_identifiers flags records whose identifiers ended
    in different profiles (a rule cut a link they carry); they follow their strongest identifier.

    Records with the same markers resolve alike, so the decision is taken once per signature (int_identity_signatures)
    and every record takes its signature's, found by the key of its markers (identity_signature_key, computed by
    staging: cdp_identity_signature_key). It reads the staging models directly, source by source (the one mart that
    does: tests/python/test_layout.py allows it). -#}
{%- set sources = cdp_identity_person_sources() %}

with

signatures as (
    select
        signature_id,
        source_name,
        identity_signature_key
    from {{ ref('int_identity_signatures') }}
),

-- inlined (cdp_inline_cte): read twice, and stored once it would copy every identifier
assignments as {{ cdp_inline_cte() }} (
    select * from {{ ref('int_identity_assignments') }}
),

signature_identifiers as (
    select
        markers.signature_id,
        assignments.identifier_id,
        assignments.customer_id,
        assignments.is_blocked,
        assignments.is_linkable,
        case when assignments.customer_id is not null then assignments.priority end as strength_order
    from {{ ref('int_identity_signature_markers') }} as markers
    inner join assignments
        on
            markers.identifier_type = assignments.identifier_type
            and markers.identifier_value = assignments.identifier_value
),

{% for entry in sources %}
    {{ entry.source }}_staged as (
        select * from {{ ref(entry.staged) }}
    ),
{% endfor %}

-- one pass per signature, no window: min_by takes the identifier with the lowest strength_order, i.e. the strongest
-- identifier that has a customer; rows without a customer have no strength_order, and min_by skips them (DuckDB and
-- Spark alike). A signature holds one identifier per type and every rule type has its own priority, so the priority
-- alone decides. Its customer, link kind and type are looked up by its id afterwards: four min_by of text cost more
-- (the record map alone at 1,000,000 customers: 26.9-30.1 s against 41.1-41.7 s).
summary as (
    select
        signature_id,
        min_by(identifier_id, strength_order) as resolving_identifier_id,
        min(customer_id) as first_customer_id,
        max(customer_id) as last_customer_id,
        max(case when not is_blocked and is_linkable then 1 else 0 end) as has_linkable,
        max(case when not is_blocked and not is_linkable then 1 else 0 end) as has_statistical,
        max(case when is_blocked then 1 else 0 end) as has_blocked
    from signature_identifiers
    group by signature_id
),

-- a signature's decision depends on its markers only, so the rows of one source and markers from different loads
-- agree and collapse to one
decisions as (
    select distinct
        signatures.source_name,
        signatures.identity_signature_key,
        resolving.customer_id,
        resolving.deterministic_customer_id,
        resolving.link_kind,
        resolving.identifier_type as resolved_by_identifier_type,
        case
            when resolving.customer_id is not null then null
            when summary.has_linkable = 1 then 'only_unresolved_identifiers'
            when summary.has_statistical = 1 then 'only_statistical_identifiers'
            when summary.has_blocked = 1 then 'only_blocked_identifiers'
            else 'no_identifiers'
        end as unresolved_reason,
        coalesce(summary.first_customer_id <> summary.last_customer_id, false) as has_conflicting_identifiers
    from signatures
    left join summary
        on signatures.signature_id = summary.signature_id
    left join assignments as resolving
        on summary.resolving_identifier_id = resolving.identifier_id
),

{% for entry in sources %}
    {{ entry.source }}_records as (
        select
            staged.source_name,
            staged.record_key,
            staged.observed_at,
            decisions.customer_id,
            decisions.deterministic_customer_id,
            decisions.link_kind,
            decisions.resolved_by_identifier_type,
            decisions.unresolved_reason,
            decisions.has_conflicting_identifiers
        from {{ entry.source }}_staged as staged
        inner join decisions
            on
                decisions.source_name = {{ cdp_identity_literal(entry.source) }}
                and staged.identity_signature_key = decisions.identity_signature_key
    ),
{% endfor %}

final as (
    {% for entry in sources %}
        select * from {{ entry.source }}_records
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from final
