"""Runs the connected_components materialization on Spark (dbt-spark, session mode) and checks it.

Needs its own virtualenv (dbt-spark pins its own dependencies):

    python -m venv V
    V/bin/pip install 'dbt-core>=1.11,<1.12' 'dbt-spark[session]' pyspark==3.5.9
    V/bin/python bench/components_spark.py [--workdir DIR]

It writes a scratch dbt project (named `cdp`, macro-paths -> this repository's macros/) with a seed of edges and
one connected_components model per graph (random graph, 1,000-hop chain, star, self-edges) plus one with
max_rounds=2 that must fail, runs `dbt build` in-process, then reads the tables back through the same Spark session
and compares them with a union-find computed here. Exit code 0 when everything matches. A few minutes: Spark's cost
per statement dominates on graphs this small.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def graphs(seed: int = 5) -> dict[str, list[tuple[int, int]]]:
    rnd = random.Random(seed)
    ids = rnd.sample(range(-(2**62), 2**62, 2**40), 3000)
    g = {"random": [(ids[rnd.randrange(3000)], ids[rnd.randrange(3000)]) for _ in range(2100)]}
    g["random"] += [(x, x) for x in (ids[rnd.randrange(3000)] for _ in range(100))]
    chain = rnd.sample(range(10**6, 10**12, 997), 1001)
    g["chain"] = [(chain[i], chain[i + 1]) for i in range(1000)]
    g["star"] = [(10**9, i) for i in range(1, 501)]
    g["selfedges"] = [(5, 5), (6, 6), (7, 7), (8, 9), (9, 8), (9, 9), (10, 10)]
    return g


def reference(edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for a, b in edges:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # the root is always the smallest id of its set
    return sorted((x, find(x)) for x in parent)


def write_project(root: Path, g: dict[str, list[tuple[int, int]]]) -> None:
    if root.exists():
        shutil.rmtree(root)
    (root / "models").mkdir(parents=True)
    (root / "seeds").mkdir()
    (root / "macros").symlink_to(REPO / "macros", target_is_directory=True)
    state = root / "state"
    (root / "dbt_project.yml").write_text(
        textwrap.dedent("""\
        name: cdp
        version: "0.1.0"
        config-version: 2
        profile: cc_spark
        model-paths: ["models"]
        macro-paths: ["macros"]
        seed-paths: ["seeds"]
        flags:
          send_anonymous_usage_stats: false
        models:
          cdp:
            +file_format: parquet
        seeds:
          cdp:
            +file_format: parquet
            +column_types: {graph: string, src_a: bigint, src_b: bigint}
        """)
    )
    (root / "profiles.yml").write_text(
        textwrap.dedent(f"""\
        cc_spark:
          target: spark
          outputs:
            spark:
              type: spark
              method: session
              host: NA
              schema: cc
              server_side_parameters:
                spark.master: "local[2]"
                spark.sql.warehouse.dir: "{state / "warehouse"}"
                spark.driver.extraJavaOptions: "-Dderby.system.home={state / "derby"}"
                spark.sql.shuffle.partitions: "4"
                spark.ui.enabled: "false"
        """)
    )
    with open(root / "seeds" / "graph_edges.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["graph", "src_a", "src_b"])
        for name, edges in g.items():
            w.writerows((name, a, b) for a, b in edges)
    for name in g:
        (root / "models" / f"cc_{name}.sql").write_text(
            "{{ config(materialized='connected_components', node_a='src_a', node_b='src_b') }}\n"
            f"select src_a, src_b from {{{{ ref('graph_edges') }}}} where graph = '{name}'\n"
        )
    (root / "models" / "cc_chain_limited.sql").write_text(
        "{{ config(materialized='connected_components', node_a='src_a', node_b='src_b', max_rounds=2) }}\n"
        "select src_a, src_b from {{ ref('graph_edges') }} where graph = 'chain'\n"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/cdp_components_spark"))
    args = ap.parse_args()
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    from dbt.cli.main import dbtRunner
    from dbt.contracts.results import RunExecutionResult

    g = graphs()
    write_project(args.workdir, g)
    lines: list[str] = []

    def grab(event) -> None:
        msg = getattr(event.info, "msg", "") or ""
        if "connected_components:" in msg and "round " not in msg.split("connected_components:")[1][:60]:
            lines.append(msg)

    res = dbtRunner(callbacks=[grab]).invoke(
        [
            "build",
            "--threads",
            "1",
            "--project-dir",
            str(args.workdir),
            "--profiles-dir",
            str(args.workdir),
            "--target-path",
            str(args.workdir / "target"),
            "--log-path",
            str(args.workdir / "logs"),
        ]
    )
    ok = True
    assert isinstance(res.result, RunExecutionResult), res.exception
    status = {r.node.name: (str(r.status), r.message, r.execution_time) for r in res.result.results}
    for line in lines:
        print("log:", line)

    from pyspark.sql import SparkSession

    spark = SparkSession.builder.getOrCreate()
    for name, edges in g.items():
        got = sorted((r[0], r[1]) for r in spark.sql(f"select node_id, component_id from cc.cc_{name}").collect())
        same = got == reference(edges)
        ok &= same
        print(
            f"cc_{name}: {status[f'cc_{name}'][0]} in {status[f'cc_{name}'][2]:.1f} s, {len(got)} rows, "
            f"{'identical to union-find' if same else 'DIFFERENT from union-find'}"
        )
    limited = status["cc_chain_limited"]
    failed_loudly = limited[0] == "error" and "round limit of 2 rounds" in (limited[1] or "")
    ok &= failed_loudly
    print(f"cc_chain_limited (max_rounds=2): {limited[0]}: {(limited[1] or '').splitlines()[0]}")
    leftovers = [r[1] for r in spark.sql("show tables in cc").collect() if "__cc_" in r[1] or "__dbt_" in r[1]]
    # a model's work database goes when its build ends, or, after a failed build, when the next one begins
    leftovers += [
        r[0] for r in spark.sql("show databases like 'cc__*__work'").collect() if r[0] != "cc__cc_chain_limited__work"
    ]
    ok &= not leftovers
    print(f"work tables left: {leftovers or 'none'}")
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
