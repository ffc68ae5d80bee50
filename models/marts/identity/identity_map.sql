{#- Every usable (unblocked) identifier with the customer it belongs to. customer_id is null for statistical
    identifiers (IP addresses never link) and for identifiers a rule cut (audit_identity_cuts). link_kind says whether
    the identifier belongs to its customer by deterministic links or only through a statistical one. -#}

with

assignments as (
    select * from {{ ref('int_identity_assignments') }}
    where not is_blocked
),

final as (
    select
        customer_id,
        identifier_type,
        identifier_value,
        rule_type,
        kind,
        resolution_status,
        link_kind,
        identity_status,
        identity_confidence,
        deterministic_customer_id,
        cut_rule,
        first_seen_at,
        last_seen_at,
        source_count,
        record_count
    from assignments
)

select * from final
