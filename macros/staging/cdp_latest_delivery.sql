{#- The newest valid delivery of each record of `base` (a staging base model's CTE or relation), as a query: among
    its rows without a rejection reason, per `key`, the highest `version_column` when given (a source's own version,
    e.g. updated_at), then the newest load, then the last row in the file. The other valid rows of a key are
    duplicate deliveries (audit_source_reconciliation counts them). Ranked here, on every build, and not in the base
    model, which is built load by load. -#}
{% macro cdp_latest_delivery(base, key, version_column=none) -%}
    {%- if not base or not key -%}
        {{ exceptions.raise_compiler_error('cdp_latest_delivery: base and key are required') }}
    {%- endif -%}
    select *
    from (
        select
            valid.*,
            row_number() over (
                partition by valid.{{ key }}
                order by
                    {% if version_column %}valid.{{ version_column }} desc nulls last, {% endif -%}
                    valid.loaded_at desc, valid.load_id desc, valid.source_row_number desc
            ) as delivery_rank
        from {{ base }} as valid
        where valid.rejection_reason is null
    ) as ranked
    where delivery_rank = 1
{%- endmacro %}
