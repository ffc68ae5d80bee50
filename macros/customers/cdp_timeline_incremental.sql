{#- How customer_timeline builds incrementally, per engine (its config is cdp_incremental_by_load_config; the model and
    its post-hook call these two).
    DuckDB: delete+insert on interaction_key of the records that are new or differ in any column from the table's row
    (identity resolution moved them to another customer, a later delivery replaced them, their store was renamed);
    the post-hook deletes the records that no longer resolve to any customer.
    Spark (Parquet, no delete or merge): insert_overwrite of the partitions by load_id that gained or lost a row in any
    of those ways (a record delivered again moves from its old load's partition to its new one: both are rewritten),
    each rewritten whole from int_customer_interactions; the post-hook drops the partitions of loads none of whose
    records resolve any more. Loads are immutable, so a build after new loads rewrites their partitions and
    those of the loads whose customers moved, and leaves the others untouched. -#}

{#- The filter (joins and where clause) that keeps, of the rows of `interactions` (a CTE name), those an incremental
    run writes into `existing` (the model's table). -#}
{% macro cdp_timeline_increment_filter(interactions, existing) -%}
    {{ return(adapter.dispatch('cdp_timeline_increment_filter', 'cdp')(interactions, existing)) }}
{%- endmacro %}

{% macro default__cdp_timeline_increment_filter(interactions, existing) -%}
    left join {{ existing }} as existing
        on {{ cdp_timeline_rows_match(interactions, 'existing') }}
    where existing.interaction_key is null
{%- endmacro %}

{% macro spark__cdp_timeline_increment_filter(interactions, existing) -%}
    where {{ interactions }}.load_id in (
        select current_rows.load_id
        from {{ interactions }} as current_rows
        left anti join {{ existing }} as existing
            on {{ cdp_timeline_rows_match('current_rows', 'existing') }}
        union
        select existing.load_id
        from {{ existing }} as existing
        left anti join {{ interactions }} as current_rows
            on {{ cdp_timeline_rows_match('existing', 'current_rows') }}
    )
{%- endmacro %}


{#- The post-hook's statement after an incremental run: removes from `existing` what no longer resolves to a customer
    in `interactions` (a relation). -#}
{% macro cdp_timeline_prune(existing, interactions) -%}
    {{ return(adapter.dispatch('cdp_timeline_prune', 'cdp')(existing, interactions)) }}
{%- endmacro %}

{% macro default__cdp_timeline_prune(existing, interactions) -%}
    delete from {{ existing }}
    where interaction_key not in (select {{ cdp_interaction_key() }} from {{ interactions }})
{%- endmacro %}

{#- Partitions whose load still has records were rewritten whole by the run; those left without any are dropped, and
    nothing is left for the hook to run. -#}
{% macro spark__cdp_timeline_prune(existing, interactions) -%}
    {{ cdp_drop_load_partitions(existing, 'select load_id from ' ~ interactions) }}
{%- endmacro %}
