{#- Written by `python -m cdp_runner.ingest.contract_files --write` (make contracts) from
    cdp_runner/ingest/contracts.py: change the contract there, not this file.
    Every staged source: its raw table, its base model, its staging model, its key, for sources that carry
    identity markers the marker types its staging model fills (`markers`: cdp_identity_markers checks them,
    and the identity stage reads only those columns), and its system. The quarantine and reconciliation
    models are built from this list; the identity stage's fingerprint hashes it as it is written here. -#}
{% macro cdp_staged_sources() -%}
    {{ return([
        {'source': 'web_events', 'base': 'base_web__events',
            'staged': 'stg_web__events', 'key': 'event_id',
            'markers': ['anonymous_id', 'user_id', 'email', 'ip_address'],
            'system': 'web'},
        {'source': 'app_events', 'base': 'base_app__events',
            'staged': 'stg_app__events', 'key': 'event_id',
            'markers': ['device_id', 'user_id', 'push_token', 'ip_address'],
            'system': 'app'},
        {'source': 'shop_orders', 'base': 'base_shop__orders',
            'staged': 'stg_shop__orders', 'key': 'order_id',
            'markers': ['email', 'phone', 'user_id'],
            'system': 'shop'},
        {'source': 'shop_order_lines', 'base': 'base_shop__order_lines',
            'staged': 'stg_shop__order_lines', 'key': 'order_line_id',
            'system': 'shop'},
        {'source': 'pos_transactions', 'base': 'base_pos__transactions',
            'staged': 'stg_pos__transactions', 'key': 'transaction_id',
            'markers': ['email', 'loyalty_card', 'pos_transaction'],
            'system': 'pos'},
        {'source': 'pos_transaction_lines', 'base': 'base_pos__transaction_lines',
            'staged': 'stg_pos__transaction_lines', 'key': 'transaction_line_id',
            'system': 'pos'},
        {'source': 'stores', 'base': 'base_pos__stores',
            'staged': 'stg_pos__stores', 'key': 'store_id',
            'system': 'pos'},
        {'source': 'crm_customers', 'base': 'base_crm__customers',
            'staged': 'stg_crm__customers', 'key': 'crm_customer_id',
            'markers': ['crm_account', 'email', 'phone', 'user_id'],
            'system': 'crm'},
        {'source': 'loyalty_members', 'base': 'base_loyalty__members',
            'staged': 'stg_loyalty__members', 'key': 'loyalty_card_number',
            'markers': ['email', 'phone', 'loyalty_card'],
            'system': 'loyalty'},
        {'source': 'email_events', 'base': 'base_marketing__email_events',
            'staged': 'stg_marketing__email_events', 'key': 'email_event_id',
            'markers': ['email'],
            'system': 'marketing'},
        {'source': 'messaging_sends', 'base': 'base_marketing__messaging_sends',
            'staged': 'stg_marketing__messaging_sends', 'key': 'message_event_id',
            'markers': ['phone', 'push_token'],
            'system': 'marketing'},
        {'source': 'support_tickets', 'base': 'base_support__tickets',
            'staged': 'stg_support__tickets', 'key': 'ticket_id',
            'markers': ['email', 'phone'],
            'system': 'support'},
        {'source': 'live_chats', 'base': 'base_support__live_chats',
            'staged': 'stg_support__live_chats', 'key': 'chat_id',
            'markers': ['anonymous_id', 'email'],
            'system': 'support'},
        {'source': 'qr_scans', 'base': 'base_qr__scans',
            'staged': 'stg_qr__scans', 'key': 'scan_id',
            'markers': ['anonymous_id', 'qr_code', 'pos_transaction'],
            'system': 'qr'},
        {'source': 'products', 'base': 'base_catalog__products',
            'staged': 'stg_catalog__products', 'key': 'product_sku',
            'system': 'catalog'},
    ]) }}
{%- endmacro %}

{#- The identity marker types, in the order of the marker_<type> columns every person-bearing staging model
    ends with (cdp_identity_markers writes them; the identity stage reads them by name). -#}
{% macro cdp_identity_marker_types() -%}
    {{ return(['email', 'phone', 'user_id', 'anonymous_id', 'device_id', 'loyalty_card', 'ip_address', 'push_token', 'qr_code', 'pos_transaction', 'crm_account']) }}
{%- endmacro %}
