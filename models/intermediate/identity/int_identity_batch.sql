{#- The identity stage's plan for this build (docs/identity.md, "Incremental builds"): one row per load of the
    ledger, whether the stage has taken it in yet (is_pending), and how this build takes the pending ones in
    (build_mode, the same on every row). 'delta' lets the record-level models (materialization identity_delta) add
    only what the pending loads touch; 'full' rebuilds them, for the reason in full_reason. Read through
    cdp_identity_build_mode() by every model of the stage. The loads taken in and the fingerprint of the last build
    are in int_identity_builds, which the stage writes last and this model reads without a ref (a ref would make a
    cycle). -#}
{%- set builds = adapter.get_relation(database=this.database, schema=this.schema, identifier='int_identity_builds')
    if execute else none -%}
{#- linting renders the form of a build that follows an earlier one (cdp_identity_render_delta) -#}
{%- if builds is none and var('cdp_identity_render_delta', false) -%}
    {%- set builds = api.Relation.create(
        database=this.database, schema=this.schema, identifier='int_identity_builds') -%}
{%- endif -%}
{%- set sources = cdp_identity_person_sources() -%}
{#- a first build or a full refresh is full whatever the loads hold: no need to look for re-deliveries (a scan of
    every person source, 13 s at 1,000,000 customers). Parsing renders the check, so dbt knows every ref. -#}
{%- set is_full_anyway = execute and (builds is none or flags.FULL_REFRESH) %}

with

ledger as (
    select
        load_id,
        finished_at
    from {{ source('cdp_meta', 'load_ledger') }}
),

erasures as (
    select count(*) as erasure_count
    from {{ source('cdp_erasure', 'erasure_log') }}
),

{% if builds is none %}
    taken_in as (
        select load_id
        from ledger
        where 1 = 0
    ),

    last_build as (
        select
            cast(null as {{ dbt.type_string() }}) as fingerprint,
            cast(null as bigint) as erasure_count,
            cast(null as timestamp) as built_at
        from ledger
        where 1 = 0
    ),
{% else %}
    taken_in as (
        select distinct load_id
        from {{ builds }}
        where load_id is not null
    ),

    last_build as (
        select
            max_by(fingerprint, built_at) as fingerprint,
            max_by(erasure_count, built_at) as erasure_count,
            max(built_at) as built_at
        from {{ builds }}
    ),
{% endif %}

loads as (
    select
        ledger.load_id,
        ledger.finished_at,
        taken_in.load_id is null as is_pending
    from ledger
    left join taken_in
        on ledger.load_id = taken_in.load_id
),

{% if is_full_anyway %}
    redelivered as (
        select cast(null as bigint) as redelivered_count
    ),
{% else %}
    -- a pending load that delivers a record again which a load already taken in delivered too (a correction): the
    -- record's markers may have changed under signatures that are already built, which only a full build redoes
    {% for entry in sources %}
        {{ entry.source }}_pending_keys as (
            select distinct pending_rows.{{ entry.key }} as record_key
            from {{ ref(entry.base) }} as pending_rows
            inner join loads as pending_loads
                on pending_rows.load_id = pending_loads.load_id and pending_loads.is_pending
            where pending_rows.rejection_reason is null
        ),

        -- the pending keys (few) are looked up in the earlier deliveries (all), not the other way round
        {{ entry.source }}_redelivered as (
            select count(*) as redelivered_count
            from {{ ref(entry.base) }} as earlier_rows
            inner join loads as earlier_loads
                on earlier_rows.load_id = earlier_loads.load_id and not earlier_loads.is_pending
            where
                earlier_rows.rejection_reason is null
                and earlier_rows.{{ entry.key }} in (
                    select pending_keys.record_key from {{ entry.source }}_pending_keys as pending_keys
                )
        ),
    {% endfor %}

    redelivered as (
        select sum(redelivered_count) as redelivered_count
        from (
            {% for entry in sources %}
                select redelivered_count from {{ entry.source }}_redelivered
                {% if not loop.last %}union all{% endif %}
            {% endfor %}
        ) as per_source
    ),
{% endif %}

plan as (
    select
        case
            when last_build.fingerprint is null then 'first build of the identity stage'
            {% if flags.FULL_REFRESH %}
                when 1 = 1 then 'full refresh requested'
            {% endif %}
            when last_build.fingerprint <> '{{ cdp_identity_fingerprint() }}'
                then 'identity seeds, models or settings changed since the last build'
            when last_build.erasure_count <> erasures.erasure_count
                then 'a person was erased since the last build'
            when redelivered.redelivered_count > 0
                then 'pending loads deliver records again that earlier loads delivered'
        end as full_reason,
        last_build.built_at as last_built_at
    from erasures
    cross join redelivered
    left join last_build
        on 1 = 1
),

final as (
    select
        loads.load_id,
        loads.finished_at,
        loads.is_pending,
        case when plan.full_reason is null then 'delta' else 'full' end as build_mode,
        plan.full_reason,
        '{{ cdp_identity_fingerprint() }}' as fingerprint,
        erasures.erasure_count,
        plan.last_built_at
    from loads
    cross join plan
    cross join erasures
)

select * from final
