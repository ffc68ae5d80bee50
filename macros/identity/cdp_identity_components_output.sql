{#- Builds the table of connected components (statement 'main') from the final work tables of the rounds.
    nonroot_sql: (node_id, component_id) for every node that is not the minimum of its component.
    selfroot_sql: (node) self-edge nodes that never hooked anywhere: component minima or isolated nodes.
    The minima are the distinct component ids of nonroot_sql; the isolated nodes are the self-roots left over. -#}
{% macro cdp_identity_components_output(relation, nonroot_sql, selfroot_sql, work_prefix, base_relation) -%}
    {{ return(adapter.dispatch('cdp_identity_components_output', 'cdp')(
        relation, nonroot_sql, selfroot_sql, work_prefix, base_relation)) }}
{%- endmacro %}

{% macro default__cdp_identity_components_output(relation, nonroot_sql, selfroot_sql, work_prefix, base_relation) -%}
    {#- Portable: no CTE is evaluated twice, no table is read while it is written. -#}
    {% set nonroot = cdp.cdp_identity_work_relation(base_relation, work_prefix ~ 'nonroot') %}
    {% set minima = cdp.cdp_identity_work_relation(base_relation, work_prefix ~ 'minima') %}
    {% do cdp.cdp_identity_run_statements(
        cdp.cdp_identity_work_table_sql(nonroot, nonroot_sql)
        + cdp.cdp_identity_work_table_sql(minima,
                                          'select distinct nr.component_id as node_id from ' ~ nonroot ~ ' as nr')) %}
    {% call statement('main') -%}
        {{ get_create_table_as_sql(False, relation,
                                   cdp.cdp_identity_components_sql_output(nonroot, minima, selfroot_sql)) }}
    {%- endcall %}
    {% do cdp.cdp_identity_drop_work_tables([nonroot, minima]) %}
{%- endmacro %}

{% macro spark__cdp_identity_components_output(relation, nonroot_sql, selfroot_sql, work_prefix, base_relation) -%}
    {#- Spark inlines a CTE at every reference, so the non-root rows are materialised once as a work table; the
        minima, a DISTINCT of them, are read in place (each work table is a job of its own; the work database goes
        with all its tables when the build ends) -#}
    {% set nonroot = cdp.cdp_identity_work_relation(base_relation, work_prefix ~ 'nonroot') %}
    {% do cdp.cdp_identity_run_statements(cdp.cdp_identity_work_table_sql(nonroot, nonroot_sql)) %}
    {% call statement('main') -%}
        {{ get_create_table_as_sql(False, relation, cdp.cdp_identity_components_sql_output(
            nonroot, '(select distinct nr.component_id as node_id from ' ~ nonroot ~ ' as nr)', selfroot_sql)) }}
    {%- endcall %}
{%- endmacro %}

{% macro duckdb__cdp_identity_components_output(relation, nonroot_sql, selfroot_sql, work_prefix, base_relation) -%}
    {#- One statement: DuckDB materialises the CTEs once and writes the table once. -#}
    {% set sql -%}
        with nonroot as materialized (
            {{ nonroot_sql }}
        ),

        minima as materialized (
            select distinct nr.component_id as node_id from nonroot as nr
        )

        {{ cdp.cdp_identity_components_sql_output('nonroot', 'minima', selfroot_sql) }}
    {%- endset %}
    {% call statement('main') -%}
        {{ get_create_table_as_sql(False, relation, sql) }}
    {%- endcall %}
{%- endmacro %}
