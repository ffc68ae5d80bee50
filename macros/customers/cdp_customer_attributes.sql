{#- The golden attributes of dim_customers, in column order: name, the type of the value, and whether the value is
    personal data. Candidates are kept as text in the long models and cast back to `data_type` in dim_customers;
    dim_customers gets <name>, <name>_source and <name>_observed_at for each. -#}
{% macro cdp_customer_attributes() -%}
    {{ return([
        {'name': 'first_name', 'data_type': 'string', 'pii': true},
        {'name': 'last_name', 'data_type': 'string', 'pii': true},
        {'name': 'email', 'data_type': 'string', 'pii': true},
        {'name': 'phone', 'data_type': 'string', 'pii': true},
        {'name': 'birth_date', 'data_type': 'date', 'pii': true},
        {'name': 'gender', 'data_type': 'string', 'pii': true},
        {'name': 'street_address', 'data_type': 'string', 'pii': true},
        {'name': 'postcode', 'data_type': 'string', 'pii': true},
        {'name': 'city', 'data_type': 'string', 'pii': true},
        {'name': 'country_code', 'data_type': 'string', 'pii': false},
        {'name': 'marital_status', 'data_type': 'string', 'pii': true},
        {'name': 'occupation', 'data_type': 'string', 'pii': true},
        {'name': 'income_band', 'data_type': 'string', 'pii': true},
        {'name': 'loyalty_tier', 'data_type': 'string', 'pii': false}
    ]) }}
{%- endmacro %}
