{#- Every staged source: its raw table, its base model, its staging model, its key and, for sources that carry
    identity markers, the marker types its staging model fills (`markers`: cdp_identity_markers checks them, and the
    identity stage reads only those columns). The quarantine and reconciliation models are built from this list. Each system declares its sources in
    macros/staging/registry/cdp_staged_sources_<system>.sql, so adding a source touches one file.
    The calls are written out (not looked up by name) so dbt sees the dependency and re-parses on change. -#}
{% macro cdp_staged_sources() -%}
    {%- set declared = {
        'web': cdp_staged_sources_web(),
        'app': cdp_staged_sources_app(),
        'shop': cdp_staged_sources_shop(),
        'pos': cdp_staged_sources_pos(),
        'crm': cdp_staged_sources_crm(),
        'loyalty': cdp_staged_sources_loyalty(),
        'marketing': cdp_staged_sources_marketing(),
        'support': cdp_staged_sources_support(),
        'qr': cdp_staged_sources_qr(),
        'catalog': cdp_staged_sources_catalog(),
    } -%}
    {%- set staged = [] -%}
    {%- for system, entries in declared.items() -%}
        {%- for entry in entries -%}
            {%- do staged.append(dict(entry, system=system)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(staged) }}
{%- endmacro %}
