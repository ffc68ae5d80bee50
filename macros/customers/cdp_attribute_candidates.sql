{#- Every value some records offer for golden attributes, one row per (record, attribute) that has a value: the long
    input of survivorship (int_customer_attribute_candidates). One pass over the records: each record times the
    attribute names, the value picked by a CASE and kept as text; null and empty values are left out.
      records      a CTE or relation with customer_id, source_name, record_key and the columns the expressions read
      observed_at  SQL expression: when the record says so
      attributes   list of (attribute name, SQL expression of its value)
      is_closed    SQL expression, true for a record whose loyalty_tier is suppressed (a closed card)
    Returns a query with customer_id, attribute_name, attribute_value, source_name, record_key, observed_at and
    is_closed_record. -#}
{% macro cdp_attribute_candidates(records, observed_at, attributes, is_closed='false') -%}
    {%- if attributes is string or attributes is not iterable or attributes | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "cdp_attribute_candidates: attributes must be a non-empty list of (name, SQL expression) pairs") }}
    {%- endif -%}
    {%- for attribute in attributes if attribute is string or attribute | length != 2 -%}
        {{ exceptions.raise_compiler_error(
            "cdp_attribute_candidates: '" ~ attribute ~ "' is not a (name, SQL expression) pair") }}
    {%- endfor -%}
    select
        customer_id,
        attribute_name,
        attribute_value,
        source_name,
        record_key,
        observed_at,
        is_closed_record
    from (
        select
            records.customer_id,
            attribute_names.attribute_name,
            case attribute_names.attribute_name
                {%- for name, expression in attributes %}
                    when '{{ name }}' then cast({{ expression }} as {{ dbt.type_string() }})
                {%- endfor %}
            end as attribute_value,
            records.source_name,
            records.record_key,
            {{ observed_at }} as observed_at,
            attribute_names.attribute_name = 'loyalty_tier' and {{ is_closed }} as is_closed_record
        from {{ records }} as records
        cross join (
            {%- for name, expression in attributes %}
                select '{{ name }}' as attribute_name
                {% if not loop.last %}union all{% endif %}
            {%- endfor %}
        ) as attribute_names
    ) as offered
    where attribute_value is not null and attribute_value <> ''
{%- endmacro %}
