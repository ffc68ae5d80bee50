{#- A 64-bit signed integer id for an identifier, computed from the text `<identifier_type>:<value>`.
    Used as the node id of the identity graph (joins on bigint are far cheaper than on text). The id is an internal
    key: it may differ between engines and engine versions, so nothing outside a build keys on it (customer ids are
    minted from the identifier's text, see cdp_identity_customer_id). Uniqueness is tested on int_identity_identifiers. -#}
{% macro cdp_identity_hash(expression) -%}
    {{ return(adapter.dispatch('cdp_identity_hash', 'cdp')(expression)) }}
{%- endmacro %}

{% macro default__cdp_identity_hash(expression) -%}
    {{ exceptions.raise_compiler_error(
        "cdp_identity_hash: no 64-bit hash is defined for adapter '" ~ adapter.type()
        ~ "'; add " ~ adapter.type() ~ "__cdp_identity_hash in macros/identity_rules/cdp_identity_hash.sql") }}
{%- endmacro %}

{% macro duckdb__cdp_identity_hash(expression) -%}
    {#- hash() is an unsigned 64-bit value; one bit less fits a signed bigint -#}
    cast(hash({{ expression }}) >> 1 as bigint)
{%- endmacro %}

{% macro spark__cdp_identity_hash(expression) -%}
    xxhash64({{ expression }})
{%- endmacro %}
