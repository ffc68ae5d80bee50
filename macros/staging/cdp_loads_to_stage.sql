{#- A staging base model is incremental by load: a build takes in only the loads whose rows differ from what the
    table holds: new loads, and loads that lost rows to an erasure (`cdp forget`), which are rewritten whole. Loads are
    otherwise immutable (a load id names a file's content, and a content is loaded once), so rows can only leave a
    load: per load, the number of rows and a sum of their rows' hashes tell whether raw and the table hold the same
    rows, without comparing the rows themselves (at 1,000,000 customers 0.13 s against 2.3 s for the 22 M web events
    of raw and the base model). Every other load's rows are what a full rebuild would write. -#}

{#- The ids of those loads, as a query: `raw` is the source table, `existing` the model's table. -#}
{% macro cdp_loads_to_stage(raw, existing) -%}
    {%- if not raw or not existing -%}
        {{ exceptions.raise_compiler_error('cdp_loads_to_stage: raw and existing are required') }}
    {%- endif -%}
    select coalesce(delivered.load_id, staged.load_id) as load_id
    from (
        select
            _load_id as load_id,
            count(*) as row_count,
            sum(hash(cast(_row_number as bigint))) as row_hash_sum
        from {{ raw }}
        group by _load_id
    ) as delivered
    full outer join (
        select
            load_id,
            count(*) as row_count,
            sum(hash(cast(source_row_number as bigint))) as row_hash_sum
        from {{ existing }}
        group by load_id
    ) as staged
        on delivered.load_id = staged.load_id
    where
        delivered.load_id is null
        or staged.load_id is null
        or delivered.row_count <> staged.row_count
        or delivered.row_hash_sum <> staged.row_hash_sum
{%- endmacro %}


{#- The post-hook's statement after an incremental run: removes the loads that no longer have any raw row (every row
    of them erased); a load that still has rows was rewritten by the run. -#}
{% macro cdp_prune_unloaded(existing, raw) -%}
    {{ return(adapter.dispatch('cdp_prune_unloaded', 'cdp')(existing, raw)) }}
{%- endmacro %}

{% macro default__cdp_prune_unloaded(existing, raw) -%}
    delete from {{ existing }} where load_id not in (select _load_id from {{ raw }})
{%- endmacro %}

{% macro spark__cdp_prune_unloaded(existing, raw) -%}
    {{ cdp_drop_load_partitions(existing, 'select _load_id from ' ~ raw) }}
{%- endmacro %}
