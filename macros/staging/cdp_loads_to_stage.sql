{#- A staging base model is incremental by load: a build takes in only the loads whose rows differ from what the
    table holds, found by row (load id and position in the file) in both directions: new loads, and loads that lost
    rows to an erasure (`cdp forget`), which are rewritten whole. Loads are otherwise immutable, so every other
    load's rows are what a full rebuild would write. -#}

{#- The ids of those loads, as a query: `raw` is the source table, `existing` the model's table. -#}
{% macro cdp_loads_to_stage(raw, existing) -%}
    select unstaged.load_id
    from (
        select _load_id as load_id, _row_number as source_row_number from {{ raw }}
        except
        select load_id, source_row_number from {{ existing }}
    ) as unstaged
    union
    select gone.load_id
    from (
        select load_id, source_row_number from {{ existing }}
        except
        select _load_id as load_id, _row_number as source_row_number from {{ raw }}
    ) as gone
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
