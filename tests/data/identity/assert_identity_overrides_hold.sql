{#- Applicable forced merges share a customer and applicable forced splits do not. A failure means two overrides
    contradict each other (a merge chain joins both ends of a split): fix identity_overrides. -#}

select
    override_type,
    identifier_type,
    other_identifier_type,
    customer_id,
    other_customer_id,
    override_status
from {{ ref('audit_identity_overrides') }}
where override_status like 'not_applied%'
