{#- The golden attributes of dim_customers, in column order: name, the type of the value, and whether the value is
    personal data. Candidates are kept as text in the long models and cast back to `data_type` in dim_customers;
    dim_customers gets <name>, <name>_source and <name>_observed_at for each. -#}
{% macro cdp_customer_attributes() -%}
    {{ return([
        {'name': 'first_name', 'data_type': 'varchar', 'pii': true},
        {'name': 'last_name', 'data_type': 'varchar', 'pii': true},
        {'name': 'email', 'data_type': 'varchar', 'pii': true},
        {'name': 'phone', 'data_type': 'varchar', 'pii': true},
        {'name': 'birth_date', 'data_type': 'date', 'pii': true},
        {'name': 'gender', 'data_type': 'varchar', 'pii': true},
        {'name': 'street_address', 'data_type': 'varchar', 'pii': true},
        {'name': 'postcode', 'data_type': 'varchar', 'pii': true},
        {'name': 'city', 'data_type': 'varchar', 'pii': true},
        {'name': 'country_code', 'data_type': 'varchar', 'pii': false},
        {'name': 'marital_status', 'data_type': 'varchar', 'pii': true},
        {'name': 'occupation', 'data_type': 'varchar', 'pii': true},
        {'name': 'income_band', 'data_type': 'varchar', 'pii': true},
        {'name': 'loyalty_tier', 'data_type': 'varchar', 'pii': false}
    ]) }}
{%- endmacro %}
