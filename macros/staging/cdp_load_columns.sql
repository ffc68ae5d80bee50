{#- The loader's bookkeeping columns, renamed for staging. -#}
{% macro cdp_load_columns() -%}
    _load_id as load_id,
    _row_number as source_row_number,
    _loaded_at as loaded_at,
    _file_name as file_name,
    _parse_error as parse_error
{%- endmacro %}
