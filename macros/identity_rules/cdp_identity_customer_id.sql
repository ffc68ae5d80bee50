{#- The public customer id of a profile: 'cus_' and the first 20 hex digits of the MD5 of
    salt || anchor identifier type || ':' || anchor value. The salt (var cdp_identity_salt, else the environment
    variable CDP_IDENTITY_SALT) keeps anyone who knows an e-mail address from computing its customer id, and no
    personal data can be read back from the id. Changing the salt changes every customer id. -#}
{% macro cdp_identity_salt() -%}
    {%- set salt = var('cdp_identity_salt', env_var('CDP_IDENTITY_SALT', 'cdp-identity-default-salt')) -%}
    {%- if salt is none or (salt | string | trim) == '' -%}
        {{ exceptions.raise_compiler_error("cdp_identity_salt: var cdp_identity_salt must not be empty") }}
    {%- endif -%}
    {{ return(salt | string) }}
{%- endmacro %}

{% macro cdp_identity_customer_id(identifier_type, identifier_value) -%}
    'cus_' || substr({{ dbt.hash(
        "'" ~ (cdp_identity_salt() | replace("'", "''")) ~ "' || " ~ identifier_type ~ " || ':' || " ~ identifier_value
    ) }}, 1, 20)
{%- endmacro %}
