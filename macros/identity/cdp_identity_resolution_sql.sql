{#-
    The set-based steps of one level of the identity resolution (materialization identity_resolution,
    docs/identity.md). Plain SQL shared by DuckDB and Spark: joins, GROUP BY, UNION ALL, row_number(), no `::`,
    no QUALIFY, no quoted identifiers, no MERGE/UPDATE/DELETE; every work table is created once and never changed.

    Shapes (work tables of level p, T = the one rule type of the level):
      nodes     N   (identifier_id, rule_type, priority, max_per_profile, max_profiles_joined, identifier_value,
                     rank_loaded_at, rank_seen_at, is_hub)          every usable, linkable identifier
      edges     EO  (strong_identifier_id, weak_identifier_id, link_priority)   weak end = level of the link
      splits    SPL (identifier_id, other_identifier_id)             forced splits, both orientations
      assigned  A   (identifier_id, profile_key)                     profiles after the previous levels
      level_identifiers X (identifier_id, ord, is_hub, max_per_profile, max_profiles_joined)   identifiers of level p
      links     L   (x_id, profile_key)                               X -> existing profiles it links to
      profile_components / identifier_components  the component of the level graph each profile / X identifier is in
-#}

{#- The identifiers of the level, numbered in anchor order (earliest loaded first). -#}
{% macro cdp_identity_resolution_sql_level_identifiers(nodes, priority) -%}
    select
        n.identifier_id,
        n.is_hub,
        n.max_per_profile,
        n.max_profiles_joined,
        row_number() over (
            order by
                n.rank_loaded_at asc nulls last,
                n.rank_seen_at asc nulls last,
                n.identifier_value asc,
                n.identifier_id asc
        ) as ord
    from {{ nodes }} as n
    where n.priority = {{ priority }}
{%- endmacro %}

{#- Every existing profile each identifier of the level links to. -#}
{% macro cdp_identity_resolution_sql_level_links(edges, assigned, priority) -%}
    select distinct
        e.weak_identifier_id as x_id,
        a.profile_key
    from {{ edges }} as e
    inner join {{ assigned }} as a
        on e.strong_identifier_id = a.identifier_id
    where e.link_priority = {{ priority }}
{%- endmacro %}

{#- Rule 1: identifiers that would join more profiles than max_profiles_joined of their type. -#}
{% macro cdp_identity_resolution_sql_too_many_profiles(links, level_identifiers) -%}
    select
        d.x_id,
        d.n_profiles
    from (
        select
            l.x_id,
            count(*) as n_profiles
        from {{ links }} as l
        group by l.x_id
    ) as d
    inner join {{ level_identifiers }} as x
        on d.x_id = x.identifier_id
    where x.max_profiles_joined is not null and d.n_profiles > x.max_profiles_joined
{%- endmacro %}

{#- The links that survive rule 1. -#}
{% macro cdp_identity_resolution_sql_kept_links(links, too_many) -%}
    select
        l.x_id,
        l.profile_key
    from {{ links }} as l
    left join {{ too_many }} as t
        on l.x_id = t.x_id
    where t.x_id is null
{%- endmacro %}

{#- Component of every node of the level graph: existing profiles, and identifiers of the level. -#}
{% macro cdp_identity_resolution_sql_profile_components(components, kept) -%}
    select
        c.node_id as profile_key,
        c.component_id
    from {{ components }} as c
    inner join (select distinct k.profile_key from {{ kept }} as k) as p
        on c.node_id = p.profile_key
{%- endmacro %}

{% macro cdp_identity_resolution_sql_identifier_components(components, kept) -%}
    select
        c.node_id as x_id,
        c.component_id,
        d.n_profiles
    from {{ components }} as c
    inner join (
        select
            k.x_id,
            count(*) as n_profiles
        from {{ kept }} as k
        group by k.x_id
    ) as d
        on c.node_id = d.x_id
{%- endmacro %}

{#- Rule 2 (which components may not be merged): the merged profile would hold more identifiers of some type
    than max_per_profile, or would hold both ends of a forced split. One row per such component with the first
    reason in a fixed order. -#}
{% macro cdp_identity_resolution_sql_unmergeable_components(nodes, assigned, splits, profile_components,
                                                             identifier_components, rule_type) -%}
    {#- every identifier of each component: the members of its profiles and its identifiers of the level -#}
    {%- set component_members -%}
        select
            a.identifier_id,
            profile_components.component_id
        from {{ profile_components }} as profile_components
        inner join {{ assigned }} as a
            on profile_components.profile_key = a.profile_key
        union all
        select
            identifier_components.x_id as identifier_id,
            identifier_components.component_id
        from {{ identifier_components }} as identifier_components
    {%- endset %}
    select
        v.component_id,
        min(v.reason) as reason
    from (
        select
            counts.component_id,
            'the merged profile would hold ' || cast(sum(counts.n) as {{ dbt.type_string() }}) || ' '
            || counts.rule_type || ' (limit ' || cast(max(lim.max_per_profile) as {{ dbt.type_string() }}) || ')'
                as reason
        from (
            select
                profile_components.component_id,
                n.rule_type,
                count(*) as n
            from {{ profile_components }} as profile_components
            inner join {{ assigned }} as a
                on profile_components.profile_key = a.profile_key
            inner join {{ nodes }} as n
                on a.identifier_id = n.identifier_id
            group by profile_components.component_id, n.rule_type
            union all
            select
                identifier_components.component_id,
                '{{ rule_type }}' as rule_type,
                count(*) as n
            from {{ identifier_components }} as identifier_components
            group by identifier_components.component_id
        ) as counts
        inner join (
            select distinct
                n.rule_type,
                n.max_per_profile
            from {{ nodes }} as n
            where n.max_per_profile is not null
        ) as lim
            on counts.rule_type = lim.rule_type
        group by counts.component_id, counts.rule_type
        having sum(counts.n) > max(lim.max_per_profile)
        union all
        select
            m1.component_id,
            'the merged profile would hold both ends of a forced split' as reason
        from (
            {{ component_members }}
        ) as m1
        inner join {{ splits }} as s
            on m1.identifier_id = s.identifier_id
        inner join (
            {{ component_members }}
        ) as m2
            on s.other_identifier_id = m2.identifier_id and m1.component_id = m2.component_id
    ) as v
    group by v.component_id
{%- endmacro %}

{#- The new key of every component that may be merged: its smallest existing profile key. -#}
{% macro cdp_identity_resolution_sql_new_keys(profile_components, unmergeable) -%}
    select
        profile_components.component_id,
        min(profile_components.profile_key) as new_key
    from {{ profile_components }} as profile_components
    left join {{ unmergeable }} as unmergeable
        on profile_components.component_id = unmergeable.component_id
    where unmergeable.component_id is null
    group by profile_components.component_id
{%- endmacro %}

{#- Ambiguous connectors: identifiers linking two or more profiles of a component that may not be merged. -#}
{% macro cdp_identity_resolution_sql_cut_connectors(identifier_components, unmergeable) -%}
    select
        identifier_components.x_id,
        unmergeable.reason
    from {{ identifier_components }} as identifier_components
    inner join {{ unmergeable }} as unmergeable
        on identifier_components.component_id = unmergeable.component_id
    where identifier_components.n_profiles >= 2
{%- endmacro %}

{#- Assignment after the level, before the split and count limits: existing identifiers (re-keyed where their
    profiles merged), identifiers of the level attached to their (merged or single) profile, and identifiers of
    the level that link to no profile starting one of their own (except hubs). is_new marks the level's ones. -#}
{% macro cdp_identity_resolution_sql_assigned_before_limits(assigned, level_identifiers, kept, profile_components,
                                                             identifier_components, unmergeable, new_keys, too_many,
                                                             connectors) -%}
    select
        a.identifier_id,
        coalesce(nk.new_key, a.profile_key) as profile_key,
        false as is_new
    from {{ assigned }} as a
    left join {{ profile_components }} as profile_components
        on a.profile_key = profile_components.profile_key
    left join {{ new_keys }} as nk
        on profile_components.component_id = nk.component_id
    union all
    select
        identifier_components.x_id as identifier_id,
        nk.new_key as profile_key,
        true as is_new
    from {{ identifier_components }} as identifier_components
    inner join {{ new_keys }} as nk
        on identifier_components.component_id = nk.component_id
    union all
    select
        k.x_id as identifier_id,
        k.profile_key,
        true as is_new
    from {{ kept }} as k
    inner join {{ identifier_components }} as identifier_components
        on k.x_id = identifier_components.x_id
    inner join {{ unmergeable }} as unmergeable
        on identifier_components.component_id = unmergeable.component_id
    where identifier_components.n_profiles = 1
    union all
    select
        x.identifier_id,
        x.identifier_id as profile_key,
        true as is_new
    from {{ level_identifiers }} as x
    left join (select distinct k.x_id from {{ kept }} as k) as linked
        on x.identifier_id = linked.x_id
    left join {{ too_many }} as t
        on x.identifier_id = t.x_id
    where linked.x_id is null and t.x_id is null and not x.is_hub
{%- endmacro %}

{#- Identifiers of the level that landed in a profile holding the other end of one of their forced splits: the
    level's identifier is separated; when both ends are new, the later one (ord) is. -#}
{% macro cdp_identity_resolution_sql_split_cuts(assigned_before_limits, splits, level_identifiers) -%}
    select distinct x.identifier_id as x_id
    from {{ assigned_before_limits }} as x
    inner join {{ splits }} as s
        on x.identifier_id = s.identifier_id
    inner join {{ assigned_before_limits }} as o
        on s.other_identifier_id = o.identifier_id and x.profile_key = o.profile_key
    inner join {{ level_identifiers }} as lx
        on x.identifier_id = lx.identifier_id
    left join {{ level_identifiers }} as lo
        on o.identifier_id = lo.identifier_id
    where x.is_new and (not o.is_new or lo.ord < lx.ord)
{%- endmacro %}

{#- Rule 3: a profile may hold at most max_per_profile identifiers of the level's type; the earliest (ord) stay. -#}
{% macro cdp_identity_resolution_sql_count_cuts(assigned_before_limits, split_cuts, level_identifiers) -%}
    select
        r.x_id,
        r.position,
        r.max_per_profile
    from (
        select
            p.identifier_id as x_id,
            x.max_per_profile,
            row_number() over (partition by p.profile_key order by x.ord asc) as position
        from {{ assigned_before_limits }} as p
        inner join {{ level_identifiers }} as x
            on p.identifier_id = x.identifier_id
        left join {{ split_cuts }} as sc
            on p.identifier_id = sc.x_id
        where p.is_new and sc.x_id is null
    ) as r
    where r.max_per_profile is not null and r.position > r.max_per_profile
{%- endmacro %}

{#- The assignment after the level: identifiers cut by the count limit leave; an identifier separated by a forced
    split starts a profile of its own (the steward said it is someone else). -#}
{% macro cdp_identity_resolution_sql_assigned_after_limits(assigned_before_limits, split_cuts, count_cuts) -%}
    select
        p.identifier_id,
        case when sc.x_id is null then p.profile_key else p.identifier_id end as profile_key
    from {{ assigned_before_limits }} as p
    left join {{ split_cuts }} as sc
        on p.identifier_id = sc.x_id
    left join {{ count_cuts }} as cc
        on p.identifier_id = cc.x_id
    where cc.x_id is null
{%- endmacro %}

{#- Everything the level cut or left without a profile, with the rule. -#}
{% macro cdp_identity_resolution_sql_level_cuts(priority, level_identifiers, kept, too_many, connectors, split_cuts,
                                                count_cuts, rule_type) -%}
    select
        t.x_id as identifier_id,
        {{ priority }} as cut_level,
        'joins_too_many_profiles' as cut_rule,
        'would join ' || cast(t.n_profiles as {{ dbt.type_string() }}) || ' profiles (limit '
        || cast(x.max_profiles_joined as {{ dbt.type_string() }}) || ' for {{ rule_type }})' as cut_detail
    from {{ too_many }} as t
    inner join {{ level_identifiers }} as x
        on t.x_id = x.identifier_id
    union all
    select
        c.x_id as identifier_id,
        {{ priority }} as cut_level,
        'ambiguous_connector' as cut_rule,
        'links two or more profiles and ' || c.reason as cut_detail
    from {{ connectors }} as c
    union all
    select
        s.x_id as identifier_id,
        {{ priority }} as cut_level,
        'forced_split' as cut_rule,
        'the profile it would join holds the other end of a forced split (identity_overrides): it starts its own'
            as cut_detail
    from {{ split_cuts }} as s
    union all
    select
        c.x_id as identifier_id,
        {{ priority }} as cut_level,
        'profile_limit' as cut_rule,
        'its profile already holds ' || cast(c.max_per_profile as {{ dbt.type_string() }})
        || ' earlier {{ rule_type }} (limit ' || cast(c.max_per_profile as {{ dbt.type_string() }}) || ')'
            as cut_detail
    from {{ count_cuts }} as c
    union all
    select
        x.identifier_id,
        {{ priority }} as cut_level,
        'hub_without_profile' as cut_rule,
        'a hub (audit_identity_hubs) with no remaining link to a profile: it starts none' as cut_detail
    from {{ level_identifiers }} as x
    left join (select distinct k.x_id from {{ kept }} as k) as linked
        on x.identifier_id = linked.x_id
    left join {{ too_many }} as t
        on x.identifier_id = t.x_id
    where x.is_hub and linked.x_id is null and t.x_id is null
{%- endmacro %}

{#- Consistency of the state after the last level: each number must be 0. Every node is in at most one profile
    and either placed or cut, exactly once; only a forced split both places (in a profile of its own) and records a
    cut. -#}
{% macro cdp_identity_resolution_sql_checks(nodes, assigned, splits, cuts) -%}
    select
        (select count(*) - count(distinct a.identifier_id) from {{ assigned }} as a) as duplicate_assignments,
        (select count(*) - count(distinct c.identifier_id) from {{ cuts }} as c) as duplicate_cuts,
        (
            select count(*)
            from (
                select
                    a.profile_key,
                    n.rule_type,
                    max(n.max_per_profile) as max_per_profile,
                    count(*) as n
                from {{ assigned }} as a
                inner join {{ nodes }} as n
                    on a.identifier_id = n.identifier_id
                group by a.profile_key, n.rule_type
            ) as c
            where c.max_per_profile is not null and c.n > c.max_per_profile
        ) as profiles_over_limit,
        (
            select count(*)
            from {{ splits }} as s
            inner join {{ assigned }} as a1
                on s.identifier_id = a1.identifier_id
            inner join {{ assigned }} as a2
                on s.other_identifier_id = a2.identifier_id
            where a1.profile_key = a2.profile_key
        ) as splits_violated,
        (
            select count(*)
            from {{ nodes }} as n
            left join {{ assigned }} as a
                on n.identifier_id = a.identifier_id
            left join {{ cuts }} as c
                on n.identifier_id = c.identifier_id
            where
                (a.identifier_id is null and c.identifier_id is null)
                or (a.identifier_id is not null and c.identifier_id is not null and c.cut_rule <> 'forced_split')
                or (a.identifier_id is null and c.cut_rule = 'forced_split')
        ) as identifiers_not_placed_once,
        (
            select count(*)
            from {{ assigned }} as a
            left join {{ nodes }} as n
                on a.identifier_id = n.identifier_id
            where n.identifier_id is null
        ) as unknown_identifiers_placed
{%- endmacro %}

{#- The output: one row per identifier of the model's SELECT. -#}
{% macro cdp_identity_resolution_sql_output(nodes, assigned, cuts) -%}
    select
        n.identifier_id,
        n.rule_type,
        n.priority as resolution_level,
        a.profile_key,
        case when a.profile_key is null then 'cut' else 'assigned' end as resolution_status,
        c.cut_rule,
        c.cut_level,
        c.cut_detail
    from {{ nodes }} as n
    left join {{ assigned }} as a
        on n.identifier_id = a.identifier_id
    left join {{ cuts }} as c
        on n.identifier_id = c.identifier_id
{%- endmacro %}
