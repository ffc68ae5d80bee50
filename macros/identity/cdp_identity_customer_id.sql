{#- The public customer id of a profile: 'cus_' and the first 20 hex digits of the MD5 of
    salt || anchor identifier type || ':' || anchor value. The salt keeps anyone who knows an e-mail address from
    computing its customer id, and no personal data can be read back from the id. It is, in order: var
    cdp_identity_salt, the environment variable CDP_IDENTITY_SALT (to share ids between warehouses, e.g. DuckDB and
    Spark), else the secret the runner draws once per warehouse into cdp_meta.identity_settings. Changing the salt
    changes every customer id. Returns an SQL expression of type string. -#}
{% macro cdp_identity_salt() -%}
    {%- set configured = var('cdp_identity_salt', env_var('CDP_IDENTITY_SALT', '')) -%}
    {%- if configured is none or (configured | string | trim) == '' -%}
        (select max(salt) from {{ adapter.quote_as_configured('cdp_meta', 'schema') }}.identity_settings)
    {%- else -%}
        {{ cdp_string_literal(configured | string) }}
    {%- endif -%}
{%- endmacro %}

{% macro cdp_identity_customer_id(identifier_type, identifier_value) -%}
    'cus_' || substr({{ dbt.hash(
        cdp_identity_salt() ~ " || " ~ identifier_type ~ " || ':' || " ~ identifier_value
    ) }}, 1, 20)
{%- endmacro %}
