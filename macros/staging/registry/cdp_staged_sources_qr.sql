{#- Staged sources of the qr system (see cdp_staged_sources). -#}
{% macro cdp_staged_sources_qr() -%}
    {{ return([
        {'source': 'qr_scans', 'base': 'base_qr__scans', 'staged': 'stg_qr__scans', 'key': 'scan_id',
            'markers': ['anonymous_id', 'qr_code', 'pos_transaction']},
    ]) }}
{%- endmacro %}
