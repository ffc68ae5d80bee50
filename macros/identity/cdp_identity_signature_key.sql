{#- The key of a record's identity markers: records of one source with the same markers (null and empty kept apart)
    have the same key, records with different markers different keys. identity_record_map gives each record its
    signature's decision by it instead of by up to four nullable text columns.

    `markers` is the list of the source's marker expressions, in a fixed order. Each becomes `<length>:<value>`, or
    `~` when null, so no two lists of values give the same text; the text is hashed with a 128-bit MD5 (a collision
    is as unlikely as for dbt.hash's keys). An internal key: it may differ between engines. -#}
{% macro cdp_identity_signature_key(markers) -%}
    {%- if markers is string or markers | length == 0 -%}
        {{ exceptions.raise_compiler_error(
            "cdp_identity_signature_key: markers must be a non-empty list of SQL expressions, got " ~ markers) }}
    {%- endif -%}
    {%- set parts = [] -%}
    {%- for marker in markers -%}
        {%- do parts.append("case when (" ~ marker ~ ") is null then '~' else "
            ~ dbt.concat(["cast(length(" ~ marker ~ ") as " ~ dbt.type_string() ~ ")", "':'", marker]) ~ " end") -%}
        {%- if not loop.last %}{% do parts.append("'|'") %}{% endif -%}
    {%- endfor -%}
    {{ return(adapter.dispatch('cdp_identity_signature_key', 'cdp')(dbt.concat(parts))) }}
{%- endmacro %}

{% macro default__cdp_identity_signature_key(text) -%}
    {{ dbt.hash(text) }}
{%- endmacro %}

{#- The MD5 as a 128-bit integer: half the width of its hex text, and faster to join on. -#}
{% macro duckdb__cdp_identity_signature_key(text) -%}
    md5_number({{ text }})
{%- endmacro %}
