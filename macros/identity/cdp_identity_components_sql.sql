{#-
    The set-based steps of the connected-components algorithm (docs/identity-clustering.md). Plain SQL shared by
    DuckDB, Spark and Postgres: least/greatest, GROUP BY, LEFT JOIN, UNION ALL, DISTINCT, EXCEPT. No `::`, no
    QUALIFY, no double-quoted identifiers, no GROUP BY ordinals, every derived table has an alias.

    Shapes (and the work tables holding them, <model>__cc_<name>):
      edges   (a, b)                           any orientation, duplicates and self-edges allowed (round 0 input)
      E_r     (a, b)          a < b, distinct  the contracted graph of round r >= 1 (edges<r>)
      P_r     (node, parent)  parent = smallest neighbour of node, parent <= node (parent = node only in round 0,
                                              for a self-edge node without a smaller neighbour) (hooks<r>)
      J_r     (node, parent, ptr, fin)         pointer-jumping state: ptr = current pointer, fin = ptr is a root
                                              (jumps<r>_<pass>; the active nodes: its rows with fin false)
      labels  (node, label)                    final label of the nodes that left in round r or later (labels<r>)
-#}

{#- Round 0 hook, straight from the input edges: every node with a smaller neighbour (or a self-edge) gets the
    smallest such neighbour. Rows with two NULL ends are ignored; a row with one NULL end is a self-edge, because
    least/greatest skip NULLs on all three engines. -#}
{% macro cdp_identity_components_sql_hook_input(edges_sql, col_a, col_b) -%}
    select
        greatest(src.{{ col_a }}, src.{{ col_b }}) as node,
        min(least(src.{{ col_a }}, src.{{ col_b }})) as parent
    from (
        {{ edges_sql }}
    ) as src
    where greatest(src.{{ col_a }}, src.{{ col_b }}) is not null
    group by greatest(src.{{ col_a }}, src.{{ col_b }})
{%- endmacro %}

{#- Hook of a contracted round (a < b): the smallest neighbour of every node that has a smaller one. -#}
{% macro cdp_identity_components_sql_hook(edges) -%}
    select
        e.b as node,
        min(e.a) as parent
    from {{ edges }} as e
    group by e.b
{%- endmacro %}

{#- First jump: pointer = grandparent. fin says the pointer already is a root (the parent has no parent). -#}
{% macro cdp_identity_components_sql_jump_first(hooks) -%}
    select
        x.node,
        x.parent,
        coalesce(y.parent, x.parent) as ptr,
        (y.node is null) as fin
    from (select h.node, h.parent from {{ hooks }} as h where h.parent < h.node) as x
    left join (select h.node, h.parent from {{ hooks }} as h where h.parent < h.node) as y
        on x.parent = y.node
{%- endmacro %}

{#- How many nodes are active: their pointer may not be a root yet. -#}
{% macro cdp_identity_components_sql_count_active(jumps) -%}
    select count(*) as n
    from {{ jumps }} as j
    where not j.fin
{%- endmacro %}

{#- Further jump: only the active nodes move (pointer = pointer of the pointer); the finished rows are copied. -#}
{% macro cdp_identity_components_sql_jump_next(jumps) -%}
    select
        j.node,
        j.parent,
        j.ptr,
        j.fin
    from {{ jumps }} as j
    where j.fin
    union all
    select
        x.node,
        x.parent,
        coalesce(y.ptr, x.ptr) as ptr,
        (y.node is null or y.fin) as fin
    from {{ jumps }} as x
    left join {{ jumps }} as y
        on x.ptr = y.node
    where not x.fin
{%- endmacro %}

{#- Contraction: every edge that is not a node's own hook edge becomes an edge between the roots of its ends;
    edges inside one tree vanish. A node absent from the jump table is a root and stands for itself. -#}
{% macro cdp_identity_components_sql_contract(edges_sql, col_a, col_b, jumps) -%}
    select distinct
        least(t.ra, t.rb) as a,
        greatest(t.ra, t.rb) as b
    from (
        select
            coalesce(za.ptr, h.a) as ra,
            h.rb
        from (
            select
                least(src.{{ col_a }}, src.{{ col_b }}) as a,
                jb.ptr as rb
            from (
                {{ edges_sql }}
            ) as src
            inner join {{ jumps }} as jb
                on greatest(src.{{ col_a }}, src.{{ col_b }}) = jb.node
            where least(src.{{ col_a }}, src.{{ col_b }}) <> jb.parent
        ) as h
        left join {{ jumps }} as za
            on h.a = za.node
    ) as t
    where t.ra <> t.rb
{%- endmacro %}

{#- Labels of the nodes that left the graph in round r >= 1: pointer of round r, then the labels of the later
    rounds (next_labels), whose rows are carried along. next_labels none = last round. -#}
{% macro cdp_identity_components_sql_resolve(jumps, next_labels) -%}
    {%- if next_labels is none -%}
    select
        j.node,
        j.ptr as label
    from {{ jumps }} as j
    {%- else -%}
    select
        j.node,
        coalesce(r.label, j.ptr) as label
    from {{ jumps }} as j
    left join {{ next_labels }} as r
        on j.ptr = r.node
    union all
    select
        r.node,
        r.label
    from {{ next_labels }} as r
    {%- endif -%}
{%- endmacro %}

{#- Every node that is not the minimum of its component, with its component id. labels none = one round only. -#}
{% macro cdp_identity_components_sql_nonroot(jumps0, labels) -%}
    {%- if labels is none -%}
    select
        j.node as node_id,
        j.ptr as component_id
    from {{ jumps0 }} as j
    {%- else -%}
    select
        j.node as node_id,
        coalesce(r.label, j.ptr) as component_id
    from {{ jumps0 }} as j
    left join {{ labels }} as r
        on j.ptr = r.node
    union all
    select
        r.node as node_id,
        r.label as component_id
    from {{ labels }} as r
    {%- endif -%}
{%- endmacro %}

{#- Round-0 nodes with a self-edge and no smaller neighbour, less those that left the graph in a later round:
    each is either the minimum of its component or an isolated node. labels none = one round only. -#}
{% macro cdp_identity_components_sql_selfroots(hooks0, labels) -%}
    select h.node from {{ hooks0 }} as h where h.parent = h.node
    {%- if labels is not none %}
    except
    select r.node from {{ labels }} as r
    {%- endif -%}
{%- endmacro %}

{#- Final rows: the non-minimum nodes, the minima (their own component), and the isolated nodes. -#}
{% macro cdp_identity_components_sql_output(nonroot, minima, selfroot_sql) -%}
    select
        nr.node_id,
        nr.component_id
    from {{ nonroot }} as nr
    union all
    select
        m.node_id,
        m.node_id as component_id
    from {{ minima }} as m
    union all
    select
        iso.node as node_id,
        iso.node as component_id
    from (
        {{ selfroot_sql }}
        except
        select m.node_id from {{ minima }} as m
    ) as iso
{%- endmacro %}
