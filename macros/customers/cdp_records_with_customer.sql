{#- The staged records of one person-bearing source that identity resolution gave a customer: every column of the
    source's staging model plus customer_id, as a subquery to select from. This is the one place where a record gets
    its customer (marts.identity_record_map, matched on source_name and record_key); models read a source's records
    by customer through it instead of joining the record map themselves. Nothing is stored: the engine reads only
    the columns and rows the caller uses.
    `source_name` names a source of cdp_identity_person_sources() ('web_events', 'crm_customers', ...). -#}
{% macro cdp_records_with_customer(source_name) -%}
    {%- set staged_models = {} -%}
    {%- for entry in cdp_identity_person_sources() -%}
        {%- do staged_models.update({entry.source: entry.staged}) -%}
    {%- endfor -%}
    {%- if source_name not in staged_models -%}
        {{ exceptions.raise_compiler_error(
            "cdp_records_with_customer: '" ~ source_name ~ "' is not a person-bearing source; expected one of "
            ~ staged_models.keys() | sort | join(', ')) }}
    {%- endif -%}
    (
        select
            record_map.customer_id,
            staged_records.*
        from {{ ref(staged_models[source_name]) }} as staged_records
        inner join {{ ref('identity_record_map') }} as record_map
            on
                staged_records.source_name = record_map.source_name
                and staged_records.record_key = record_map.record_key
        where record_map.source_name = '{{ source_name }}' and record_map.customer_id is not null
    )
{%- endmacro %}
