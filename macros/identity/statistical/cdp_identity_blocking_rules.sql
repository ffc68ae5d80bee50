{#- The blocking rules of identity_blocking_rules, read while the model compiles and checked: each names one or
    more person-record columns (cdp_identity_blocking_key_columns) joined with '+', and a block size limit. Returns
    a list of {rule_order, rule_name, keys, max_block_size, is_training_rule}, in rule_name order; [] at parse time. -#}
{% macro cdp_identity_blocking_rules() -%}
    {%- set rows = cdp_identity_seed_rows(
        ref('identity_blocking_rules'), ['rule_name', 'blocking_keys', 'max_block_size', 'is_training_rule'],
        'rule_name') -%}
    {%- set allowed = cdp_identity_blocking_key_columns() -%}
    {%- set rules = [] -%}
    {%- for row in rows -%}
        {%- set keys = (row.blocking_keys or '') | replace(' ', '') -%}
        {%- set keys = keys.split('+') if keys else [] -%}
        {%- for key in keys if key not in allowed -%}
            {{ exceptions.raise_compiler_error(
                "identity_blocking_rules: rule " ~ row.rule_name ~ " names '" ~ key ~ "'; blocking keys are "
                ~ (allowed | join(', '))) }}
        {%- endfor -%}
        {%- if not keys or row.max_block_size is none or row.max_block_size | int < 2 -%}
            {{ exceptions.raise_compiler_error(
                "identity_blocking_rules: rule " ~ row.rule_name ~ " needs blocking keys and a max_block_size of 2 or more") }}
        {%- endif -%}
        {%- do rules.append({'rule_order': loop.index, 'rule_name': row.rule_name, 'keys': keys,
                             'max_block_size': row.max_block_size | int,
                             'is_training_rule': row.is_training_rule in [true, 'true', 'True']}) -%}
    {%- endfor -%}
    {{ return(rules) }}
{%- endmacro %}

{#- The rows of identity_match_settings, read while the model compiles: a model that needs several settings reads
    them once and passes them to cdp_identity_match_setting (each read is a query). -#}
{% macro cdp_identity_match_settings() -%}
    {{ return(cdp_identity_seed_rows(ref('identity_match_settings'), ['setting', 'value'], 'setting')) }}
{%- endmacro %}

{#- One setting of identity_match_settings as a number, from `settings` (cdp_identity_match_settings) or read now;
    at parse time (or before the seed exists) none, and the caller's default applies. -#}
{% macro cdp_identity_match_setting(name, settings=none) -%}
    {%- set rows = cdp_identity_match_settings() if settings is none else settings -%}
    {%- for row in rows if row.setting == name -%}
        {{ return(row.value | float) }}
    {%- endfor -%}
    {%- if execute and rows -%}
        {{ exceptions.raise_compiler_error("identity_match_settings: no row for setting '" ~ name ~ "'") }}
    {%- endif -%}
    {{ return(none) }}
{%- endmacro %}
