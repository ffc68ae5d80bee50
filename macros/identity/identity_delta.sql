{#-
    Materialization `identity_delta`: a table that a delta build of the identity stage updates in place
    (docs/identity.md, "Incremental builds").

        {{ config(materialized='identity_delta', delta_key=['identifier_id']) }}

    In a full build (cdp_identity_build_mode() is 'full', or the table does not exist yet) the model's SELECT
    builds the whole table, swapped in like a table model. In a delta build the model's SELECT (which checks
    cdp_identity_is_delta()) returns only the rows the pending loads touch, recomputed whole; every existing row
    with the delta_key of one of them is deleted and the new rows are inserted. Rerunning the same delta gives the
    same table, so a build that failed half-way is mended by the next one.

    Optional delta_scope='<column>': in a delta build, also delete every row whose column holds an identifier of
    int_identity_delta_scope (rows whose key the new rows no longer have, e.g. the customer of a profile that merged
    into another; the model depends on int_identity_delta_scope).
-#}
{% materialization identity_delta, default %}
    {%- set delta_key = config.require('delta_key') -%}
    {%- if delta_key is string or delta_key | length == 0 -%}
        {{ exceptions.raise_compiler_error(this.identifier ~ ": delta_key must be a non-empty list of columns") }}
    {%- endif -%}
    {%- set relations = cdp.cdp_identity_materialization_begin() -%}
    {%- set target_relation = relations.target -%}
    {%- set is_delta = relations.existing is not none and cdp.cdp_identity_is_delta() -%}

    {% if is_delta %}
        {%- set delta_relation = cdp.cdp_identity_work_relation(target_relation,
                                                                target_relation.identifier ~ '__delta') -%}
        {% do drop_relation_if_exists(delta_relation) %}
        {% do cdp.cdp_identity_create_work_table(delta_relation, compiled_code) %}
        {% call statement('identity_delta_delete') -%}
            {{ cdp.cdp_identity_delta_delete_sql(target_relation, delta_relation, delta_key) }}
        {%- endcall %}
        {%- set delta_scope = config.get('delta_scope') -%}
        {% if delta_scope is not none %}
            {% call statement('identity_delta_delete_scope') -%}
                delete from {{ target_relation }}
                where {{ cdp.cdp_identity_in_delta_scope(delta_scope) }}
            {%- endcall %}
        {% endif %}
        {% call statement('main') -%}
            insert into {{ target_relation }} select * from {{ delta_relation }}
        {%- endcall %}
        {% do drop_relation_if_exists(delta_relation) %}
    {% else %}
        {% call statement('main') -%}
            {{ get_create_table_as_sql(False, relations.intermediate, compiled_code) }}
        {%- endcall %}
        {% do cdp.cdp_identity_materialization_swap(relations) %}
    {% endif %}

    {{ return(cdp.cdp_identity_materialization_end(relations, replaced=not is_delta)) }}
{% endmaterialization %}
