"""Benchmark: connected components of a synthetic identity graph, dbt/DuckDB versus scipy.

    python bench/components.py                      # 1,000,000 customers (~6.8M nodes, ~8.5M distinct edges)
    python bench/components.py --customers 100000   # smaller
    python bench/components.py --nodes 700000       # same, sized by node count (about 6.8 nodes a customer)

What it does, in one process:
 1. generates a deterministic identity graph with numpy (seeded) and writes it to a DuckDB file as
    edges(node_a bigint, node_b bigint): per customer an e-mail/phone/user-id/cookie/device cluster (random tree plus
    redundant observations), households linking three customers, chains of fresh nodes up to 1,000 hops, chains of
    customers, one giant component around a junk identifier (as when blocking guards fail), isolated nodes as
    self-edges, duplicate rows and both orientations; node ids are 64-bit hashes of a counter;
 2. scipy: reads the edges, relabels the 64-bit ids to 0..n-1 (one stable argsort), builds the CSR matrix and
    calls scipy.sparse.csgraph.connected_components, each step timed on its own;
 3. dbt: writes a scratch dbt project next to the graph whose macro-paths point at this repository's macros/,
    with a model int_identity_components materialized as connected_components over a view of the edges, and runs
    `dbt run --select int_identity_components` in-process (dbtRunner); the SQL time is the model's execution time
    as dbt reports it (all rounds, the output table, the swap and the commit);
 4. checks that both give the same partition: component_id is the smallest node id of the component on both
    sides, so the partitions are equal iff the (node_id, component_id) sets are equal;
 5. prints seconds, rounds and the ratios.

The machine is shared and has 2 cores: load from other processes changes the figures. `--repeat N` runs both
sides N times, alternating, and reports the fastest of each; the load average is printed with the results.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
MODEL = "int_identity_components"


# ----------------------------------------------------------------------------------------------- graph generator
def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64 finaliser: a bijection on 64-bit integers, so distinct counters give distinct hash-like ids."""
    x = x.astype(np.uint64)
    x ^= x >> np.uint64(30)
    x *= np.uint64(0xBF58476D1CE4E5B9)
    x ^= x >> np.uint64(27)
    x *= np.uint64(0x94D049BB133111EB)
    x ^= x >> np.uint64(31)
    return x.view(np.int64)


CHAIN_HOPS = (1000, 800, 600, 500, 400, 300, 200, 150, 100, 100, 50, 50)


def generate(customers: int, seed: int = 42, giant_share: float = 0.04) -> tuple[np.ndarray, np.ndarray]:
    """Edge list (node_a, node_b) of a synthetic identity graph; deterministic for (customers, seed, giant_share)."""
    rng = np.random.default_rng(seed)
    k = 1 + rng.poisson(5.8, customers)  # identifiers per customer: mean 6.8
    start = np.concatenate([[0], np.cumsum(k)[:-1]])
    n = int(k.sum())
    cust = np.repeat(np.arange(customers), k)
    local = np.arange(n) - start[cust]
    a: list[np.ndarray] = []
    b: list[np.ndarray] = []
    # each identifier after the first was first seen together with an earlier one (a random recursive tree) ...
    child = np.nonzero(local > 0)[0]
    a.append(child)
    b.append(start[cust[child]] + (rng.random(child.size) * local[child]).astype(np.int64))
    # ... and most were seen again with another identifier of the same customer (redundant edges)
    extra = child[rng.random(child.size) < 0.75]
    a.append(extra)
    b.append(start[cust[extra]] + (rng.random(extra.size) * local[extra]).astype(np.int64))
    # households: 15% of customers, in threes, share an identifier (address, landline, family tablet)
    hh = rng.permutation(customers)[: customers * 15 // 100]
    g = hh[: (hh.size // 3) * 3].reshape(-1, 3)
    for m in (1, 2):
        a.append(start[g[:, 0]] + (rng.random(g.shape[0]) * k[g[:, 0]]).astype(np.int64))
        b.append(start[g[:, m]] + (rng.random(g.shape[0]) * k[g[:, m]]).astype(np.int64))
    nxt = n
    # long chains of fresh nodes (cookie hand-overs), the longest 1,000 hops
    for hops in CHAIN_HOPS:
        ids = np.arange(nxt, nxt + hops + 1)
        nxt += hops + 1
        a.append(ids[:-1])
        b.append(ids[1:])
    # chains of customers: ten chains of 100 customers each
    if customers >= 1000:
        cc = rng.permutation(customers)[:1000].reshape(10, 100)
        a.append(start[cc[:, :-1]].ravel())
        b.append(start[cc[:, 1:]].ravel())
    # one giant component: a junk identifier (test@test.com) on giant_share of the customers
    giant = int(customers * giant_share)
    if giant:
        junk = nxt
        nxt += 1
        members = rng.permutation(customers)[:giant]
        a.append(np.full(giant, junk))
        b.append(start[members])
    # isolated identifiers (customers with one identifier) and identifiers also seen alone, as self-edges
    selfs = np.concatenate([start[k == 1], rng.integers(0, n, n // 50)])
    a.append(selfs)
    b.append(selfs)
    A = np.concatenate(a)
    B = np.concatenate(b)
    # repeated observations and both orientations, in random order
    dup = rng.random(A.size) < 0.1
    A = np.concatenate([A, A[dup]])
    B = np.concatenate([B, B[dup]])
    flip = rng.random(A.size) < 0.5
    A, B = np.where(flip, B, A), np.where(flip, A, B)
    perm = rng.permutation(A.size)
    return _mix64(A[perm]), _mix64(B[perm])


def write_graph(path: Path, node_a: np.ndarray, node_b: np.ndarray) -> None:
    import duckdb
    import pyarrow as pa

    path.unlink(missing_ok=True)
    edges = pa.table({"node_a": node_a, "node_b": node_b})  # noqa: F841 (scanned by name below)
    with duckdb.connect(str(path)) as con:
        con.execute("create table edges as select node_a, node_b from edges")


def copy_real_links(source: Path, path: Path) -> None:
    """The graph the identity resolution clusters: the links left after the blocklist and hub cuts."""
    import duckdb

    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(f"attach '{source}' as built (read_only)")
        con.execute(
            "create table edges as select strong_identifier_id as node_a, weak_identifier_id as node_b "
            "from built.intermediate.int_identity_graph_edges"
        )
        con.execute("detach built")


# ----------------------------------------------------------------------------------------- scratch dbt project
def write_project(project_dir: Path, warehouse: Path, macros_dir: Path = REPO / "macros", max_rounds: int = 50) -> None:
    """A minimal dbt project named `cdp` (so `cdp.` macro calls and dispatch resolve) using the repo's macros."""
    (project_dir / "models").mkdir(parents=True, exist_ok=True)
    link = project_dir / "macros"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(macros_dir.resolve(), target_is_directory=True)
    (project_dir / "dbt_project.yml").write_text(
        textwrap.dedent(f"""\
        name: cdp
        version: "0.1.0"
        config-version: 2
        profile: cc_bench
        model-paths: ["models"]
        macro-paths: ["macros"]
        flags:
          send_anonymous_usage_stats: false
        vars:
          identity_max_rounds: {max_rounds}
        """)
    )
    (project_dir / "profiles.yml").write_text(
        textwrap.dedent(f"""\
        cc_bench:
          target: duckdb
          outputs:
            duckdb:
              type: duckdb
              path: "{warehouse}"
              threads: 2
        """)
    )
    (project_dir / "models" / "sources.yml").write_text(
        textwrap.dedent("""\
        version: 2
        sources:
          - name: graph
            schema: main
            tables:
              - name: edges
        """)
    )
    (project_dir / "models" / "int_identity_edges.sql").write_text(
        "{{ config(materialized='view') }}\nselect node_a, node_b from {{ source('graph', 'edges') }}\n"
    )
    (project_dir / "models" / f"{MODEL}.sql").write_text(
        "{{ config(materialized='connected_components', node_a='node_a', node_b='node_b') }}\n"
        "select node_a, node_b from {{ ref('int_identity_edges') }}\n"
    )


def run_dbt(project_dir: Path, args: list[str]) -> dict:
    """Runs dbt in-process; returns execution seconds of the components model, rounds, and the log lines."""
    from dbt.cli.main import dbtRunner
    from dbt.contracts.results import RunExecutionResult

    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    lines: list[str] = []
    cpu: dict[str, float] = {}

    def grab(event) -> None:
        msg = getattr(event.info, "msg", "") or ""
        if "connected_components:" in msg:
            lines.append(msg)
        # CPU seconds of this process (DuckDB's threads included) while the components model runs
        if event.info.name in ("NodeStart", "NodeFinished"):
            node_info = getattr(event.data, "node_info", None)
            if node_info is not None and node_info.node_name == MODEL:
                usage = resource.getrusage(resource.RUSAGE_SELF)
                cpu[event.info.name] = usage.ru_utime + usage.ru_stime

    res = dbtRunner(callbacks=[grab]).invoke(
        args
        + [
            "--project-dir",
            str(project_dir),
            "--profiles-dir",
            str(project_dir),
            "--target-path",
            str(project_dir / "target"),
            "--log-path",
            str(project_dir / "logs"),
        ]
    )
    out: dict[str, Any] = {
        "success": res.success,
        "exception": res.exception,
        "lines": lines,
        "seconds": None,
        "rounds": None,
        "cpu": cpu["NodeFinished"] - cpu["NodeStart"] if len(cpu) == 2 else float("nan"),
    }
    if isinstance(res.result, RunExecutionResult):
        for r in res.result.results:
            if r.node.name == MODEL:
                out["seconds"] = r.execution_time
                out["status"] = str(r.status)
                out["message"] = r.message
    for line in lines:
        m = re.search(r"converged in (\d+) rounds", line)
        if m:
            out["rounds"] = int(m.group(1))
    return out


# -------------------------------------------------------------------------------------------------------- scipy
def run_scipy(warehouse: Path) -> dict:
    import duckdb
    import scipy.sparse as sp
    from scipy.sparse.csgraph import connected_components

    t = {}
    t0 = time.perf_counter()
    with duckdb.connect(str(warehouse)) as con:
        cols = con.execute("select node_a, node_b from edges").fetchnumpy()
    a = np.asarray(cols["node_a"], dtype=np.int64)
    b = np.asarray(cols["node_b"], dtype=np.int64)
    t["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    # 64-bit ids -> 0..n-1: one stable argsort (faster here than np.unique(return_inverse) or searchsorted)
    both = np.concatenate([a, b])
    order = np.argsort(both, kind="stable")
    ordered = both[order]
    first = np.empty(ordered.size, dtype=bool)
    first[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    nodes = ordered[first]
    inverse = np.empty(both.size, dtype=np.int64)
    inverse[order] = np.cumsum(first) - 1
    ia = inverse[: a.size]
    ib = inverse[a.size :]
    del both, order, ordered, first
    t["relabel"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    n = nodes.size
    graph = sp.csr_matrix((np.ones(a.size, dtype=np.int8), (ia, ib)), shape=(n, n))
    t["csr"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    c0 = time.process_time()
    n_comp, labels = connected_components(graph, directed=False)
    t["components"] = time.perf_counter() - t0
    cpu = time.process_time() - c0
    # canonical labels (smallest node id of the component), not timed
    order = np.lexsort((nodes, labels))
    first = np.ones(order.size, dtype=bool)
    first[1:] = labels[order[1:]] != labels[order[:-1]]
    mins = np.empty(n_comp, dtype=np.int64)
    mins[labels[order[first]]] = nodes[order[first]]
    return {
        "times": t,
        "cpu": cpu,
        "nodes": nodes,
        "component_id": mins[labels],
        "n_components": n_comp,
        "n_edges_rows": a.size,
    }


def read_sql_result(warehouse: Path) -> tuple[np.ndarray, np.ndarray]:
    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        cols = con.execute(f"select node_id, component_id from main.{MODEL} order by node_id").fetchnumpy()
    return np.asarray(cols["node_id"], dtype=np.int64), np.asarray(cols["component_id"], dtype=np.int64)


def same_partition(sp_nodes, sp_comp, sql_nodes, sql_comp) -> tuple[bool, str]:
    if sql_nodes.size != sp_nodes.size:
        return False, f"node count differs: sql {sql_nodes.size}, scipy {sp_nodes.size}"
    if not np.array_equal(sql_nodes, sp_nodes):
        return False, "node sets differ"
    bad = np.count_nonzero(sql_comp != sp_comp)
    if bad:
        return False, f"{bad} nodes have a different component id"
    return True, "identical"


# --------------------------------------------------------------------------------------------------------- main
def wait_idle(seconds: float) -> None:
    """Other processes on this 2-core machine skew the timings; optionally wait for a quiet moment."""
    deadline = time.monotonic() + seconds
    while os.getloadavg()[0] >= 0.7 and time.monotonic() < deadline:
        time.sleep(5)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    scale = ap.add_mutually_exclusive_group()
    scale.add_argument("--customers", type=int, default=None, help="customers (default 1,000,000)")
    scale.add_argument("--nodes", type=int, default=None, help="approximate node count (6.8 nodes a customer)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument(
        "--giant-share",
        type=float,
        default=0.04,
        help="share of customers joined into one giant component (0 for none)",
    )
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/cdp_components_bench"))
    ap.add_argument("--repeat", type=int, default=1, help="runs of each side, alternating; the fastest counts")
    ap.add_argument("--reuse-graph", action="store_true", help="keep an existing graph file of the same scale")
    ap.add_argument(
        "--edges-from",
        type=Path,
        default=None,
        metavar="WAREHOUSE",
        help="cluster the real identity links of a built warehouse (intermediate.int_identity_graph_edges) "
        "instead of a synthetic graph",
    )
    ap.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each run, wait up to SECONDS for the 1-minute load average to fall below 0.7",
    )
    args = ap.parse_args(argv)
    customers = args.customers or (round(args.nodes / 6.8) if args.nodes else 1_000_000)

    work = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    if args.edges_from:
        warehouse = work / "graph_real_links.duckdb"
        t0 = time.perf_counter()
        copy_real_links(args.edges_from, warehouse)
        print(f"copied the identity links of {args.edges_from} in {time.perf_counter() - t0:.1f} s")
    else:
        warehouse = work / f"graph_{customers}_{args.seed}_{args.giant_share}.duckdb"
    if not args.edges_from and not (args.reuse_graph and warehouse.exists()):
        t0 = time.perf_counter()
        node_a, node_b = generate(customers, args.seed, args.giant_share)
        write_graph(warehouse, node_a, node_b)
        print(f"generated {node_a.size:,} edge rows for {customers:,} customers in {time.perf_counter() - t0:.1f} s")
    project = work / "project"
    write_project(project, warehouse)

    sp_best = None
    sql_best = None
    for i in range(args.repeat):
        wait_idle(args.wait_idle)
        sp_run = run_scipy(warehouse)
        sp_total = sum(sp_run["times"].values())
        if sp_best is None or sp_run["times"]["components"] < sp_best["times"]["components"]:
            sp_best = sp_run
        sp_best.setdefault("best_total", sp_total)
        sp_best["best_total"] = min(sp_best["best_total"], sp_total)
        wait_idle(args.wait_idle)
        sql_run = run_dbt(project, ["run", "--select", "+" + MODEL])
        if not sql_run["success"] or sql_run["seconds"] is None:
            print("dbt failed:", sql_run.get("exception") or sql_run.get("message"), *sql_run["lines"], sep="\n")
            return 1
        if sql_best is None or sql_run["seconds"] < sql_best["seconds"]:
            sql_best = sql_run
        print(
            f"run {i + 1}: scipy components {sp_run['times']['components']:.2f} s "
            f"(end to end {sp_total:.2f} s), dbt model {sql_run['seconds']:.2f} s, {sql_run['rounds']} rounds; "
            f"CPU s: scipy {sp_run['cpu']:.2f}, dbt {sql_run['cpu']:.2f}; "
            f"load {os.getloadavg()[0]:.1f}",
            flush=True,
        )

    assert sp_best is not None and sql_best is not None, "--repeat is at least 1"
    sql_nodes, sql_comp = read_sql_result(warehouse)
    ok, why = same_partition(sp_best["nodes"], sp_best["component_id"], sql_nodes, sql_comp)

    t = sp_best["times"]
    sql_s = sql_best["seconds"]
    n_edges = None
    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        n_edges = con.execute(
            "select count(*) from (select distinct least(node_a, node_b), greatest(node_a, node_b) "
            "from edges where node_a <> node_b) as d"
        ).fetchall()[0][0]
        biggest = con.execute(
            f"select max(n) from (select count(*) as n from main.{MODEL} group by component_id) as c"
        ).fetchall()[0][0]
    print()
    origin = f"the identity links of {args.edges_from}" if args.edges_from else f"{customers:,} customers"
    print(
        f"graph: {origin}, {sp_best['nodes'].size:,} nodes, {n_edges:,} distinct undirected edges "
        f"({sp_best['n_edges_rows']:,} rows), {sp_best['n_components']:,} components, largest {biggest:,} nodes"
    )
    print(
        f"scipy: load {t['load']:.2f} s, relabel ids {t['relabel']:.2f} s, csr build {t['csr']:.2f} s, "
        f"connected_components {t['components']:.2f} s (end to end {sp_best['best_total']:.2f} s)"
    )
    print(f"dbt connected_components model: {sql_s:.2f} s, {sql_best['rounds']} rounds")
    print(
        f"CPU seconds (less sensitive to other load): scipy connected_components {sp_best['cpu']:.2f}, "
        f"dbt model {sql_best['cpu']:.2f} (both DuckDB threads), ratio {sql_best['cpu'] / sp_best['cpu']:.2f}x"
    )
    for line in sql_best["lines"]:
        print("  log:", line)
    print(f"ratio dbt / scipy connected_components call: {sql_s / t['components']:.2f}x")
    print(f"ratio dbt / scipy end to end (load + relabel + csr + components): {sql_s / sp_best['best_total']:.2f}x")
    print(f"partition check: {why}")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main())
