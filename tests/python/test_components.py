"""Connected components materialization (macros/identity/) against scipy, on a scratch dbt project.

The scratch project in a temporary folder is named `cdp` and points its macro-paths at this repository's macros/,
so it runs exactly the macros the real project uses. One `dbt build` builds every graph below as its own
connected_components model; the remaining tests re-run single models.
"""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

duckdb = pytest.importorskip("duckdb")
scipy_sparse = pytest.importorskip("scipy.sparse")
from scipy.sparse.csgraph import connected_components  # noqa: E402

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult

REPO = Path(__file__).resolve().parents[2]
CHAIN_HOPS = 1000


# ------------------------------------------------------------------------------------------------------- graphs
def _hash_ids(a: np.ndarray, b: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Replaces node numbers by distinct pseudo-random bigints (positive and negative), as upstream hashing would."""
    rng = np.random.default_rng(seed)
    size = int(max(a.max(), b.max())) + 1
    table = rng.choice(np.arange(-(2**62), 2**62, 2**40, dtype=np.int64), size=size, replace=False)
    return table[a], table[b]


def _random_graph(seed: int, n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.integers(0, n, m)
    b = rng.integers(0, n, m)
    # some self-edges (isolated nodes) and duplicate rows in the other orientation
    iso = rng.integers(0, n, n // 20)
    dup = rng.integers(0, m, m // 10)
    a = np.concatenate([a, iso, b[dup]])
    b = np.concatenate([b, iso, a[dup]])
    return _hash_ids(a, b, seed)


def _graphs() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    g: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    g["random_sparse"] = _random_graph(1, 3000, 2000)  # many small trees and isolated nodes
    g["random_critical"] = _random_graph(2, 4000, 2100)  # near the giant-component threshold: long paths
    g["random_dense"] = _random_graph(3, 3000, 6000)  # one giant component plus stragglers
    hops = np.arange(CHAIN_HOPS)
    # 1,000-hop chains: ids increasing along the chain (one deep tree), decreasing, zig-zag, and random ids
    g["chain_up"] = (hops, hops + 1)
    g["chain_down"] = (10_000 - hops, 10_000 - hops - 1)
    zig = np.where(np.arange(CHAIN_HOPS + 1) % 2 == 0, np.arange(CHAIN_HOPS + 1), np.arange(CHAIN_HOPS + 1) + 2)
    g["chain_zigzag"] = (zig[:-1], zig[1:])
    g["chain_random"] = _hash_ids(hops, hops + 1, 7)
    # stars: centre with the largest id, and centre with the smallest id
    leaves = np.arange(1, 2001)
    g["star_center_max"] = (np.full(leaves.size, 10**9), leaves)
    g["star_center_min"] = (leaves, np.zeros(leaves.size, dtype=np.int64))
    # isolated self-edges only, next to one pair; and self-edges on nodes that also have real edges
    g["self_edges"] = (np.array([5, 6, 7, 7, 8, 9, 9, 10]), np.array([5, 6, 7, 7, 9, 8, 9, 10]))
    return g


def _reference(a: np.ndarray, b: np.ndarray) -> dict[int, int]:
    """node -> smallest node id of its component, computed with scipy."""
    nodes = np.unique(np.concatenate([a, b]))
    ia = np.searchsorted(nodes, a)
    ib = np.searchsorted(nodes, b)
    n = nodes.size
    graph = scipy_sparse.csr_matrix((np.ones(a.size), (ia, ib)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    mins: dict[int, int] = {}
    for lab, node in zip(labels.tolist(), nodes.tolist(), strict=True):
        mins[lab] = min(mins.get(lab, node), node)
    return {node: mins[lab] for lab, node in zip(labels.tolist(), nodes.tolist(), strict=True)}


# -------------------------------------------------------------------------------------------- scratch project
def _write_project(root: Path, names: list[str]) -> None:
    (root / "models").mkdir(parents=True)
    (root / "macros").symlink_to(REPO / "macros", target_is_directory=True)
    (root / "dbt_project.yml").write_text(
        textwrap.dedent("""\
        name: cdp
        version: "0.1.0"
        config-version: 2
        profile: cc_test
        model-paths: ["models"]
        macro-paths: ["macros"]
        flags:
          send_anonymous_usage_stats: false
        """)
    )
    (root / "profiles.yml").write_text(
        textwrap.dedent(f"""\
        cc_test:
          target: duckdb
          outputs:
            duckdb:
              type: duckdb
              path: "{root / "warehouse.duckdb"}"
              threads: 2
        """)
    )
    tables = "\n".join(f"              - name: {n}" for n in names)
    (root / "models" / "sources.yml").write_text(
        "version: 2\nsources:\n  - name: g\n    schema: main\n    tables:\n" + tables + "\n"
    )
    for n in names:
        # non-default edge column names, to exercise node_a/node_b
        (root / "models" / f"cc_{n}.sql").write_text(
            "{{ config(materialized='connected_components', node_a='src_a', node_b='src_b'"
            + (LEFTOVER_HOOK if n == "random_dense" else "")
            + ") }}\n"
            f"select src_a, src_b from {{{{ source('g', '{n}') }}}}\n"
        )


# runs in dbt's connection right after the materialization: counts the work tables still there (temp tables are
# private to a connection, so this is the only place they can be seen)
LEFTOVER_HOOK = (
    ', post_hook="create or replace table main.cc_leftovers as select count(*) as n '
    "from duckdb_tables() where position('__cc_' in table_name) > 0\""
)


def _dbt(root: Path, *args: str) -> tuple[dbtRunnerResult, list[str]]:
    from dbt.cli.main import dbtRunner

    lines: list[str] = []

    def grab(event) -> None:
        msg = getattr(event.info, "msg", "") or ""
        if "connected_components" in msg or "round limit" in msg:
            lines.append(msg)

    res = dbtRunner(callbacks=[grab]).invoke(
        list(args)
        + [
            "--project-dir",
            str(root),
            "--profiles-dir",
            str(root),
            "--target-path",
            str(root / "target"),
            "--log-path",
            str(root / "logs"),
        ]
    )
    return res, lines


def _read(root: Path, model: str) -> list[tuple[int, int]]:
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        return con.execute(f"select node_id, component_id from main.{model} order by node_id").fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    root = tmp_path_factory.mktemp("cc_project")
    graphs = _graphs()
    _write_project(root, list(graphs) + ["empty"])
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        for name, (a, b) in graphs.items():
            con.execute(
                f"create table {name} as select unnest($1) as src_a, unnest($2) as src_b",
                [[int(x) for x in a], [int(x) for x in b]],
            )
            con.execute(f"alter table {name} alter src_a type bigint; alter table {name} alter src_b type bigint")
        con.execute("create table empty (src_a bigint, src_b bigint)")
    res, lines = _dbt(root, "build")
    assert res.success, (res.exception, lines)
    return root, graphs, lines


# ---------------------------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("name", list(_graphs()))
def test_same_partition_as_scipy(built, name):
    root, graphs, _ = built
    a, b = graphs[name]
    expected = sorted(_reference(a, b).items())
    got = _read(root, f"cc_{name}")
    assert len(got) == len(expected)
    assert got == expected


def test_chain_of_1000_hops_is_one_component(built):
    root, _, lines = built
    for name in ("chain_up", "chain_down", "chain_zigzag", "chain_random"):
        got = _read(root, f"cc_{name}")
        assert len(got) == CHAIN_HOPS + 1
        assert len({c for _, c in got}) == 1
        assert {c for _, c in got} == {min(n for n, _ in got)}
    # the random-id chain needs several contraction rounds, far fewer than its 1,000 hops
    rounds = [
        int(m.group(1))
        for line in lines
        if "cc_chain_random converged" in line
        for m in [re.search(r"converged in (\d+) rounds", line)]
        if m
    ]
    assert len(rounds) == 1 and 2 <= rounds[0] <= 20


def test_star(built):
    root, _, _ = built
    got = _read(root, "cc_star_center_max")
    assert len(got) == 2001 and {c for _, c in got} == {1}
    got = _read(root, "cc_star_center_min")
    assert len(got) == 2001 and {c for _, c in got} == {0}


def test_isolated_self_edges(built):
    root, _, _ = built
    assert _read(root, "cc_self_edges") == [(5, 5), (6, 6), (7, 7), (8, 8), (9, 8), (10, 10)]


def test_empty_graph(built):
    root, _, _ = built
    assert _read(root, "cc_empty") == []


def test_rounds_are_logged_and_work_tables_dropped(built):
    root, graphs, lines = built
    converged = [line for line in lines if re.search(r"converged in \d+ rounds", line)]
    assert len(converged) == len(graphs) + 1
    assert _read_scalar(root, "select n from main.cc_leftovers") == 0


def _read_scalar(root: Path, sql: str):
    with duckdb.connect(str(root / "warehouse.duckdb")) as con:
        return con.execute(sql).fetchone()[0]


def test_rebuild_gives_identical_output(built):
    root, _, _ = built
    before = _read(root, "cc_random_critical")
    res, _ = _dbt(root, "run", "--select", "cc_random_critical")
    assert res.success
    after = _read(root, "cc_random_critical")
    assert after == before and len(after) > 0


def test_round_limit_fails_loudly(built):
    root, _, _ = built
    before = _read(root, "cc_chain_random")
    res, lines = _dbt(root, "run", "--select", "cc_chain_random", "--vars", "{identity_max_rounds: 2}")
    assert not res.success
    from dbt.contracts.results import RunExecutionResult

    assert isinstance(res.result, RunExecutionResult)
    messages = " ".join(str(r.message) for r in res.result.results)
    assert "did not converge within the round limit of 2 rounds" in messages
    assert "identity_max_rounds" in messages
    # the previous table is left as it was
    assert _read(root, "cc_chain_random") == before
    assert _read_scalar(root, "select count(*) from duckdb_tables() where table_name like '%dbt_tmp%'") == 0
