{#- The key of an interaction (one source record): source_name:record_key. customer_timeline, the product activity
    and the purchases (purchase_key) carry it; int_customer_interactions does not store it (a unique string per row
    cost a fifth of that table's write: 5.0 against 4.1 s at 100,000 customers). `relation`: the alias whose
    columns to use, when the query joins several. -#}
{% macro cdp_interaction_key(relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {{ prefix }}source_name || ':' || {{ prefix }}record_key
{%- endmacro %}
