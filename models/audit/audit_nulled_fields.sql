{#- Every optional field staging nulled in a record it kept: the value was delivered but is not of its column's type,
    or not one staging accepts (a tier it does not know, a score out of range). The record is staged with the field
    null; the delivered text stays in raw.<source_name>, found by (load_id, source_row_number). The columns checked
    are the contract's (cdp_optional_values(), written from cdp_runner/ingest/contracts.py); a bad value in a
    required column quarantines the record instead (audit_quarantined_rows). -#}
{%- set staged_sources = cdp_staged_sources() %}
{%- set optional_values = cdp_optional_values() %}

with

{% for staged in staged_sources if staged.source in optional_values %}
    {% for checked in optional_values[staged.source] %}
        nulled_{{ staged.source }}_{{ checked.column }} as (
            select
                '{{ staged.source }}' as source_name,
                load_id,
                source_row_number,
                file_name,
                cast({{ staged.key }} as {{ dbt.type_string() }}) as record_key,
                '{{ checked.column }}' as column_name,
                {{ checked.column }}_delivered as delivered_value,
                {% if checked.type_problem -%}
                    case
                        when {{ cdp_parse_as(checked.type, checked.column ~ '_delivered') }} is null
                            then '{{ checked.type_problem }}'
                        else 'not an accepted value'
                    end
                {%- else -%}
                    'not an accepted value'
                {%- endif %} as reason,
                loaded_at
            from {{ ref(staged.base) }}
            where
                rejection_reason is null
                and {{ checked.column }}_delivered is not null
                and {{ checked.column }} is null
        ),
    {% endfor %}
{% endfor %}

unioned as (
    {% for staged in staged_sources if staged.source in optional_values %}
        {% set outer_last = loop.last %}
        {% for checked in optional_values[staged.source] %}
            select * from nulled_{{ staged.source }}_{{ checked.column }}
            {% if not (outer_last and loop.last) %}union all{% endif %}
        {% endfor %}
    {% endfor %}
),

final as (
    select
        source_name,
        load_id,
        source_row_number,
        file_name,
        record_key,
        column_name,
        delivered_value,
        reason,
        loaded_at
    from unioned
)

select * from final
