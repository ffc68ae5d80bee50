{#- Every usable identifier that matches a pattern of identifier_block_patterns (for its type or for *) would be a
    junk value that escaped: the patterns must all have been applied by int_identity_identifiers. -#}
{%- set patterns = cdp_identity_seed_rows(
    ref('identifier_block_patterns'), ['identifier_type', 'pattern', 'reason'], 'identifier_type, pattern'
) -%}

select
    identifier_type,
    identifier_value
from {{ ref('int_identity_identifiers') }}
where
    not is_blocked
    and (
        1 = 0
        {% for row in patterns %}
            {% if row.identifier_type == '*' %}
                or {{ cdp_regexp_like('identifier_value', cdp_identity_checked_pattern(
                    row.pattern, 'identifier_block_patterns')) }}
            {% else %}
                or (
                    identifier_type = {{ cdp_identity_literal(row.identifier_type) }}
                    and {{ cdp_regexp_like('identifier_value', cdp_identity_checked_pattern(
                        row.pattern, 'identifier_block_patterns')) }}
                )
            {% endif %}
        {% endfor %}
    )
