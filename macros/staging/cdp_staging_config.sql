{#- The config of a staging model (stg_<system>__<entity>): one row per record key, its newest valid delivery in
    `base_model` (the name of the source's base model). Incremental by key (cdp_incremental_by_key_config); before an
    incremental run the pre-hook deletes the rows whose delivery is gone (cdp_prune_undelivered); a change of columns
    stops the build (on_schema_change 'fail', docs/loading.md). Usage: {{ config(**cdp_staging_config('event_id',
    'base_web__events')) }}. -#}
{% macro cdp_staging_config(unique_key, base_model) -%}
    {%- if not unique_key or not base_model -%}
        {{ exceptions.raise_compiler_error(
            "cdp_staging_config: unique_key and base_model are required, got " ~ unique_key ~ ", " ~ base_model) }}
    {%- endif -%}
    {%- set prune = "{% if is_incremental() %}"
        ~ "{{ cdp_prune_undelivered(this, ref('" ~ base_model ~ "')) }}"
        ~ "{% endif %}" -%}
    {%- set settings = {'on_schema_change': 'fail', 'pre_hook': [prune]} -%}
    {%- do settings.update(cdp_incremental_by_key_config(unique_key)) -%}
    {{ return(settings) }}
{%- endmacro %}
