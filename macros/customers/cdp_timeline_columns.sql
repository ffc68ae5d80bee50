{#- The columns of customer_timeline, in order: the model selects them, and an incremental run (and the data test
    assert_customer_timeline_matches_interactions) compares every one of them, so a record whose latest delivery or
    store name changed is rewritten like one that moved to another customer. -#}
{% macro cdp_timeline_columns() -%}
    {{ return([
        'interaction_key', 'customer_id', 'occurred_at', 'source_name', 'record_key', 'channel', 'event_type',
        'description', 'is_customer_initiated', 'product_sku', 'store_id', 'amount', 'currency_code', 'load_id',
    ]) }}
{%- endmacro %}


{#- True when the rows `left` and `right` (relation aliases) agree on every timeline column, nulls included. -#}
{% macro cdp_timeline_rows_match(left, right) -%}
    {%- for column in cdp_timeline_columns() %}
        {% if not loop.first %}and {% endif %}{{ cdp_null_safe_equal(left ~ '.' ~ column, right ~ '.' ~ column) }}
    {%- endfor %}
{%- endmacro %}
