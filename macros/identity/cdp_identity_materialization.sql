{#-
    The table scaffold the identity stage's materializations share (connected_components, identity_resolution), the
    steps of dbt's own table materialization: a new table is built at the intermediate relation
    (<model>__dbt_tmp) and swapped in, the old one is renamed to the backup relation (<model>__dbt_backup) and dropped
    after the commit; hooks, grants and persisted docs as for any table.

        {%- set relations = cdp.cdp_identity_materialization_begin() -%}
        ... create relations.intermediate in statement 'main' and swap it in: ...
        {% do cdp.cdp_identity_materialization_swap(relations) %}
        {{ return(cdp.cdp_identity_materialization_end(relations)) }}
-#}

{#- Drops the leftovers of an interrupted build, prepares the work area and runs the pre-hooks. Returns the
    relations: target (the model's table), existing (the relation at its address now, or none), intermediate and
    backup. -#}
{% macro cdp_identity_materialization_begin() -%}
    {%- set target = this.incorporate(type='table') -%}
    {%- set existing = load_cached_relation(this) -%}
    {%- set intermediate = make_intermediate_relation(target) -%}
    {%- set backup = make_backup_relation(target, 'table' if existing is none else existing.type) -%}
    {% do drop_relation_if_exists(load_cached_relation(intermediate)) %}
    {% do drop_relation_if_exists(load_cached_relation(backup)) %}
    {% do cdp.cdp_identity_work_area_begin() %}
    {% do run_hooks(pre_hooks, inside_transaction=False) %}
    {% do run_hooks(pre_hooks, inside_transaction=True) %}
    {{ return({'target': target, 'existing': existing, 'intermediate': intermediate, 'backup': backup}) }}
{%- endmacro %}

{#- Puts the intermediate relation in the target's place; the existing relation becomes the backup. -#}
{% macro cdp_identity_materialization_swap(relations) -%}
    {% if relations.existing is not none %}
        {% do adapter.rename_relation(relations.existing, relations.backup) %}
    {% endif %}
    {% do adapter.rename_relation(relations.intermediate, relations.target) %}
{%- endmacro %}

{#- Runs the post-hooks, applies the grants and persists the docs, commits, drops the backup. Returns what a
    materialization returns. -#}
{% macro cdp_identity_materialization_end(relations) -%}
    {% do run_hooks(post_hooks, inside_transaction=True) %}
    {% do apply_grants(relations.target, config.get('grants'),
                       should_revoke=should_revoke(relations.existing, full_refresh_mode=true)) %}
    {% do persist_docs(relations.target, model) %}
    {% do cdp.cdp_identity_commit() %}
    {% do drop_relation_if_exists(relations.backup) %}
    {% do cdp.cdp_identity_work_area_end() %}
    {% do run_hooks(post_hooks, inside_transaction=False) %}
    {{ return({'relations': [relations.target]}) }}
{%- endmacro %}

{#- Commits what a materialization wrote; dbt-spark has no transactions. -#}
{% macro cdp_identity_commit() -%}
    {{ return(adapter.dispatch('cdp_identity_commit', 'cdp')()) }}
{%- endmacro %}

{% macro default__cdp_identity_commit() -%}
    {% do adapter.commit() %}
{%- endmacro %}

{% macro spark__cdp_identity_commit() -%}
{%- endmacro %}
