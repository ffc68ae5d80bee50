{#- Deletes the rows of target whose delta_key matches a row of delta (null-safe: keys may hold nulls). -#}
{% macro cdp_identity_delta_delete_sql(target, delta, delta_key) -%}
    {{ return(adapter.dispatch('cdp_identity_delta_delete_sql', 'cdp')(target, delta, delta_key)) }}
{%- endmacro %}

{% macro default__cdp_identity_delta_delete_sql(target, delta, delta_key) -%}
    delete from {{ target }}
    where exists (
        select 1
        from {{ delta }} as delta_rows
        where
            {% for column in delta_key -%}
                {{ cdp_null_safe_equal('delta_rows.' ~ column, target.identifier ~ '.' ~ column) }}
                {%- if not loop.last %} and {% endif %}
            {% endfor %}
    )
{%- endmacro %}
