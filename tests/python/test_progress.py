"""The progress of long commands: dbt's nodes are counted from the events it emits at its default log level (seeds,
models and tests alike), and where the output is not a terminal a plain line reports each tenth."""

from __future__ import annotations

from pathlib import Path

from cdp_runner.console.progress import dbt_progress
from cdp_runner.dbt import run_dbt
from cdp_runner.warehouse import connect


def test_every_node_dbt_runs_is_counted(tmp_path: Path):
    warehouse = tmp_path / "warehouse.duckdb"
    with connect(warehouse, create=True):
        pass
    calls: list[tuple[int, int]] = []
    outcome = run_dbt(
        ["build", "--select", "path:seeds/customers"],
        warehouse=warehouse,
        on_progress=lambda done, total, node: calls.append((done, total)),
    )
    assert outcome.success
    kinds = {result.resource_type for result in outcome.results}
    assert {"seed", "test"} <= kinds
    # the project's on-run-start hook (an operation) has a result but is not a node of the build's count
    nodes = [result for result in outcome.results if result.resource_type != "operation"]
    assert calls[-1] == (len(nodes), len(nodes))
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_without_a_terminal_a_line_per_tenth_is_printed(capsys):
    with dbt_progress("dbt build") as update:
        for done in range(0, 21):
            update(done, 20, f"node_{done}")
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" nodes done")[0] for line in lines] == [f"dbt build: {done}/20" for done in range(2, 21, 2)]
