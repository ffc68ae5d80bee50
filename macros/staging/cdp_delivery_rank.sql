{#- Ranks the deliveries of one record, newest version first: 1 is kept in staging, the others are
    duplicate deliveries. Rejected rows are ranked apart so they never displace a valid delivery. -#}
{% macro cdp_delivery_rank(key, version_column=none) -%}
    row_number() over (
        partition by {{ key }}, rejection_reason is null
        order by
            {% if version_column %}{{ version_column }} desc nulls last, {% endif -%}
            loaded_at desc, load_id desc, source_row_number desc
    )
{%- endmacro %}
