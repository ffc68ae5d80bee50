"""Baseline for docs/identity-clustering.md: min-label propagation as a DuckDB recursive CTE with USING KEY.

    python bench/usingkey_baseline.py --customers 20000

Same synthetic graph as bench/components.py. The recursive CTE keeps one label per node (USING KEY) and its working
set holds only the labels that changed in the last iteration, so it is the "propagate only changed labels"
approach in one statement. It still needs one iteration per hop of the longest shortest path; the timing shows why
the connected_components materialization does hooking, pointer jumping and contraction instead.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root, when run as a script
from bench.components import generate, write_graph

SQL = """
with recursive lab(node, label, it) using key (node) as (
    select n.node, n.node, 0 from nodes as n
    union
    select c.x, c.l, c.it
    from (
        select a.x, min(w.label) as l, max(w.it) + 1 as it
        from lab as w
        inner join adj as a on a.y = w.node
        group by a.x
    ) as c
    inner join recurring.lab as cur on cur.node = c.x
    where c.l < cur.label
)
select count(*) as nodes, count(distinct label) as components, max(it) as iterations from lab
"""


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--customers", type=int, default=20_000)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/cdp_components_bench"))
    args = ap.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    path = args.workdir / f"usingkey_{args.customers}.duckdb"
    a, b = generate(args.customers)
    write_graph(path, a, b)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create temp table adj as select node_a as x, node_b as y from edges where node_a <> node_b "
            "union all select node_b, node_a from edges where node_a <> node_b"
        )
        con.execute("create temp table nodes as select node_a as node from edges union select node_b from edges")
        t0 = time.perf_counter()
        nodes, components, iterations = con.execute(SQL).fetchall()[0]
        seconds = time.perf_counter() - t0
    print(
        f"{args.customers:,} customers: {nodes:,} nodes, {components:,} components, "
        f"{iterations} iterations, {seconds:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
