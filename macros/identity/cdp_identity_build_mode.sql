{#- How the identity stage takes in this build's data (docs/identity.md, "Incremental builds").

    cdp_identity_build_mode(): 'delta' when the record-level models may take in only the loads they have not seen
    (int_identity_batch.is_pending), else 'full'. int_identity_batch decides once per build, so every model of the
    stage agrees; a missing or empty batch table, --full-refresh, or a batch whose fingerprint is not the current one
    means 'full'.
    cdp_identity_is_delta(): true when the calling model can be updated in place as a delta: the build is a delta
    and the model's own table exists.
    cdp_identity_fingerprint(): what a delta must not have changed since the last build: the files of the identity
    seeds, of the identity models and of the staging models of the person sources (dbt's checksums), the markers
    the registry declares and the identity variables. Macro edits are not in it: after changing a macro the stage
    reads, build with --full-refresh.
    The var cdp_identity_render_delta (for `make lint` only, .ci/sqlfluff-identity-delta.cfg) makes both say delta
    without a warehouse, so that the SQL of a delta build is linted too.
    cdp_identity_pending_loads(): a SELECT of the load ids a delta takes in (the calling model depends on
    int_identity_batch).
    cdp_identity_in_delta_scope(column): the condition that column holds an identifier of int_identity_delta_scope
    (the calling model depends on it); cdp_identity_delta_scope_filter(column) is a WHERE clause of it in a delta
    build of the calling model, else nothing.
    cdp_identity_previous_members(): the relation of int_identity_profile_members as the last build wrote it, for
    int_identity_delta_scope, upstream of it (so found in the graph, not through ref); none when it does not exist. -#}
{% macro cdp_identity_build_mode() -%}
    {%- if var('cdp_identity_render_delta', false) -%}
        {{ return('delta') }}
    {%- endif -%}
    {%- if not execute -%}
        {{ return('full') }}
    {%- endif -%}
    {%- set batch = ref('int_identity_batch') -%}
    {%- if flags.FULL_REFRESH or load_relation(batch) is none -%}
        {{ return('full') }}
    {%- endif -%}
    {%- set result = run_query('select max(build_mode), max(fingerprint) from ' ~ batch) -%}
    {%- set mode, fingerprint = result.rows[0][0], result.rows[0][1] -%}
    {#- a batch left by an earlier build (a selection without int_identity_batch) is trusted only if nothing the
        delta depends on has changed since -#}
    {{ return('delta' if mode == 'delta' and fingerprint == cdp_identity_fingerprint() else 'full') }}
{%- endmacro %}

{% macro cdp_identity_is_delta() -%}
    {#- a unit test renders the model's full form on its given rows -#}
    {%- if var('cdp_identity_render_delta', false) -%}
        {{ return(true) }}
    {%- endif -%}
    {%- if not execute or model.resource_type == 'unit_test' -%}
        {{ return(false) }}
    {%- endif -%}
    {{ return(load_relation(this) is not none and cdp_identity_build_mode() == 'delta') }}
{%- endmacro %}

{% macro cdp_identity_fingerprint() -%}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set staged_models = [] -%}
    {%- for entry in cdp_identity_person_sources() -%}
        {%- do staged_models.extend([entry.staged, entry.base]) -%}
    {%- endfor -%}
    {%- set parts = [] -%}
    {%- for node in graph.nodes.values() | sort(attribute='unique_id')
        if node.resource_type in ['model', 'seed'] and node.package_name == project_name
        and ('identity' in node.fqn or node.name.startswith('identifier_') or node.name in staged_models) -%}
        {%- do parts.append(node.unique_id ~ '=' ~ node.checksum.checksum) -%}
    {%- endfor -%}
    {%- do parts.append('markers=' ~ tojson(cdp_identity_person_sources())) -%}
    {%- do parts.append('salt=' ~ var('cdp_identity_salt', env_var('CDP_IDENTITY_SALT', ''))) -%}
    {%- do parts.append('rounds=' ~ var('identity_max_rounds', 50)) -%}
    {%- do parts.append('statistical=' ~ var('cdp_identity_statistical_links', true)) -%}
    {{ return(local_md5(parts | join('|'))) }}
{%- endmacro %}

{% macro cdp_identity_pending_loads() -%}
    {{ return('select pending_loads.load_id from ' ~ ref('int_identity_batch') ~ ' as pending_loads'
        ~ ' where pending_loads.is_pending') }}
{%- endmacro %}

{% macro cdp_identity_in_delta_scope(column) -%}
    {{ column }} in (select scope.identifier_id from {{ ref('int_identity_delta_scope') }} as scope)
{%- endmacro %}

{% macro cdp_identity_delta_scope_filter(column) -%}
    {%- if cdp_identity_is_delta() -%}
        where {{ cdp_identity_in_delta_scope(column) }}
    {%- endif -%}
{%- endmacro %}

{% macro cdp_identity_previous_members() -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set node = graph.nodes.values() | selectattr('name', 'equalto', 'int_identity_profile_members') | first -%}
    {{ return(load_relation(api.Relation.create(database=node.database, schema=node.schema, identifier=node.alias))) }}
{%- endmacro %}
