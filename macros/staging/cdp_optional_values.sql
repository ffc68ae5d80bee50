{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file.
    Per source, the optional columns staging checks (every column that is not text, and text columns the
    contract marks checked): a bad value is nulled and the record kept. Each base model gives such a column
    as <column> (null when the value failed) beside <column>_delivered (the text); audit_nulled_fields lists
    the fields where the text is there and the value is not: type_problem when the text is not even of the
    column's type, else the value is not one staging accepts. -#}
{% macro cdp_optional_values() -%}
    {{ return({
        'shop_orders': [
            {'column': 'subtotal_amount', 'type': 'decimal', 'type_problem': 'not a decimal number'},
            {'column': 'discount_amount', 'type': 'decimal', 'type_problem': 'not a decimal number'},
            {'column': 'shipping_amount', 'type': 'decimal', 'type_problem': 'not a decimal number'},
            {'column': 'refunded_amount', 'type': 'decimal', 'type_problem': 'not a decimal number'}],
        'shop_order_lines': [
            {'column': 'discount_amount', 'type': 'decimal', 'type_problem': 'not a decimal number'},
            {'column': 'returned_quantity', 'type': 'integer', 'type_problem': 'not a whole number'}],
        'pos_transactions': [
            {'column': 'payment_method', 'type': 'string', 'type_problem': none}],
        'pos_transaction_lines': [
            {'column': 'discount_amount', 'type': 'decimal', 'type_problem': 'not a decimal number'}],
        'stores': [
            {'column': 'opened_on', 'type': 'date', 'type_problem': 'not a YYYY-MM-DD date'},
            {'column': 'closed_on', 'type': 'date', 'type_problem': 'not a YYYY-MM-DD date'}],
        'crm_customers': [
            {'column': 'birth_date', 'type': 'date', 'type_problem': 'not a YYYY-MM-DD date'},
            {'column': 'email_opt_in', 'type': 'boolean', 'type_problem': 'not a boolean'},
            {'column': 'sms_opt_in', 'type': 'boolean', 'type_problem': 'not a boolean'},
            {'column': 'consent_updated_at', 'type': 'timestamp', 'type_problem': 'not an ISO 8601 timestamp'}],
        'loyalty_members': [
            {'column': 'tier', 'type': 'string', 'type_problem': none},
            {'column': 'points_balance', 'type': 'integer', 'type_problem': 'not a whole number'},
            {'column': 'status', 'type': 'string', 'type_problem': none}],
        'support_tickets': [
            {'column': 'satisfaction_score', 'type': 'integer', 'type_problem': 'not a whole number'},
            {'column': 'solved_at', 'type': 'timestamp', 'type_problem': 'not an ISO 8601 timestamp'}],
        'live_chats': [
            {'column': 'message_count', 'type': 'integer', 'type_problem': 'not a whole number'},
            {'column': 'satisfaction_score', 'type': 'integer', 'type_problem': 'not a whole number'},
            {'column': 'ended_at', 'type': 'timestamp', 'type_problem': 'not an ISO 8601 timestamp'}],
        'qr_scans': [
            {'column': 'latitude', 'type': 'decimal', 'type_problem': 'not a decimal number'},
            {'column': 'longitude', 'type': 'decimal', 'type_problem': 'not a decimal number'}],
        'products': [
            {'column': 'list_price', 'type': 'decimal', 'type_problem': 'not a decimal number'},
            {'column': 'unit_cost', 'type': 'decimal', 'type_problem': 'not a decimal number'},
            {'column': 'currency', 'type': 'string', 'type_problem': none},
            {'column': 'is_active', 'type': 'boolean', 'type_problem': 'not a boolean'},
            {'column': 'launched_on', 'type': 'date', 'type_problem': 'not a YYYY-MM-DD date'}],
    }) }}
{%- endmacro %}
