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
        ~ "'; add " ~ adapter.type() ~ "__cdp_identity_hash in macros/identity/cdp_identity_hash.sql") }}
{%- endmacro %}

{% macro duckdb__cdp_identity_hash(expression) -%}
    {#- The top 63 bits of the MD5 (a 128-bit unsigned integer), which fit a signed bigint. Not DuckDB's hash():
        it is built for hash tables, not uniqueness, and gives the same value to IP addresses such as
        85.18.225.249 and 85.13.225.242 (measured on generated data of 10,000 customers). -#}
    cast(md5_number({{ expression }}) >> 65 as bigint)
{%- endmacro %}

{% macro spark__cdp_identity_hash(expression) -%}
    xxhash64({{ expression }})
{%- endmacro %}
