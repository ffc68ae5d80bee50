{#- Every source row that did not reach staging because it could not be parsed, with the reason.
    The delivered row itself stays in raw.<source_name>, found by (load_id, source_row_number). -#}
{%- set staged_sources = cdp_staged_sources() %}

with

{% for staged in staged_sources %}
    rejected_{{ staged.source }} as (
        select
            '{{ staged.source }}' as source_name,
            load_id,
            source_row_number,
            file_name,
            cast({{ staged.key }} as {{ dbt.type_string() }}) as record_key,
            rejection_reason,
            loaded_at
        from {{ ref(staged.base) }}
        where rejection_reason is not null
    ),
{% endfor %}

unioned as (
    {% for staged in staged_sources %}
        select * from rejected_{{ staged.source }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

final as (
    select
        source_name,
        load_id,
        source_row_number,
        file_name,
        record_key,
        rejection_reason,
        loaded_at
    from unioned
)

select * from final
