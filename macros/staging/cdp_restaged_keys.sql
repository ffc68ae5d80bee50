{#- A staging model is incremental by key: a build ranks again only the records whose newest delivery may have
    changed since its table was written, over all their deliveries, and replaces their rows. Those records are the
    union of:
    - the keys delivered by a load newer than every load the table holds a row of (a load whose rows all lost to
      earlier deliveries stays newer and is ranked again by every build, with the same result);
    - the keys with a valid delivery and no row in the table: an erasure (`cdp forget`, which deletes the person's
      rows from this table too) deleted the row and not every delivery, or an older delivery became valid (an order
      line checked against its order, which came later: those two base models are rebuilt whole);
    - the keys whose row's delivery is no longer a valid base row (an erasure deleted it, or its check now fails).
    Base rows change in no other way (loads are immutable), so every other row is what a full rebuild writes. The
    post-hook (cdp_prune_undelivered) then deletes the rows of records left without any valid delivery. -#}

{#- The keys, as a query: `base` is the base model (CTE or relation), `existing` the model's table. -#}
{% macro cdp_restaged_keys(base, key, existing) -%}
    {%- if not base or not key or not existing -%}
        {{ exceptions.raise_compiler_error('cdp_restaged_keys: base, key and existing are required') }}
    {%- endif -%}
    select fresh.{{ key }}
    from {{ base }} as fresh
    where
        fresh.rejection_reason is null
        and fresh.loaded_at > coalesce(
            (
                select max(staged.loaded_at)
                from {{ base }} as staged
                where staged.load_id in (select existing_load.load_id from {{ existing }} as existing_load)
            ),
            cast('0001-01-01 00:00:00' as timestamp)
        )
    union
    select unstaged.{{ key }}
    from (
        select delivered.{{ key }} from {{ base }} as delivered where delivered.rejection_reason is null
        except
        select staged.{{ key }} from {{ existing }} as staged
    ) as unstaged
    union
    select superseded.{{ key }}
    from {{ existing }} as superseded
    left join {{ base }} as delivered
        on
            superseded.load_id = delivered.load_id
            and superseded.source_row_number = delivered.source_row_number
            and delivered.rejection_reason is null
    where delivered.load_id is null
{%- endmacro %}


{#- The post-hook's statement after an incremental run: deletes from `existing` the rows whose delivery is no longer
    a valid row of `base` (a relation); the run replaced those of records that still have one. Runs on DuckDB only:
    on Spark the staging models are tables (cdp_incremental_by_key_config), so no run is incremental. -#}
{% macro cdp_prune_undelivered(existing, base) -%}
    {%- if not existing or not base -%}
        {{ exceptions.raise_compiler_error('cdp_prune_undelivered: existing and base are required') }}
    {%- endif -%}
    delete from {{ existing }}
    where not exists (
        select 1
        from {{ base }} as delivered
        where
            delivered.load_id = {{ existing.identifier }}.load_id
            and delivered.source_row_number = {{ existing.identifier }}.source_row_number
            and delivered.rejection_reason is null
    )
{%- endmacro %}
