"""`dbt build` on Spark: one process, one Spark session, two dbt invocations and the lifetime-value step between them.

    python -m cdp_runner.spark.build [dbt build arguments]   # the project and profiles from DBT_PROJECT_DIR and
                                                               # DBT_PROFILES_DIR, as the runner sets them

The runner starts this as its dbt subprocess (cdp_runner.dbt.run_dbt) when the target is Spark. dbt runs in-process
(dbtRunner), so dbt-spark's session mode and the step share one SparkSession: the JVM starts once.

1. `dbt build` of everything the arguments select except the dbt Python models and what depends on them;
2. the runner step that writes the Python models' tables (cdp_runner.spark.ltv_step), when the selection holds them;
3. `dbt build` of what depends on them (with its tests).

dbt's JSON log lines go to standard output as with the dbt command, and the two invocations' results are written as
one run_results.json (the step's two models as successes), so the runner reads this like any dbt build.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence

from ..dbt import flag_values, target_dir
from .ltv_step import FIT_MODEL, PYTHON_MODELS, SUMMARY_MODEL, LtvSettings, run_ltv_step

# dbt's JSON log lines, which the runner reads for its progress bar
LOG_FLAGS = ("--log-format", "json", "--no-use-colors")
SELECT_FLAGS = ("--select", "-s")
EXCLUDE_FLAGS = ("--exclude",)


def split_selection(args: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """(select values, exclude values, the other arguments) of a dbt command line."""
    selects: list[str] = []
    excludes: list[str] = []
    rest: list[str] = []
    current: list[str] | None = None
    for arg in args:
        if arg in SELECT_FLAGS:
            current = selects
        elif arg in EXCLUDE_FLAGS:
            current = excludes
        elif current is not None and not arg.startswith("-"):
            current.append(arg)
        else:
            current = None
            rest.append(arg)
    return selects, excludes, rest


def builds_models(args: Sequence[str]) -> bool:
    """Whether `dbt build` with these arguments builds models at all (`--resource-type test` does not): only then does
    the lifetime-value step belong to it."""
    included = flag_values(args, "--resource-type")
    return (not included or "model" in included) and "model" not in flag_values(args, "--exclude-resource-type")


def invocations(args: Sequence[str]) -> tuple[list[str], list[str]]:
    """The arguments of the two dbt invocations (`args` are those of `dbt build`): before and after the Python
    models."""
    selects, excludes, rest = split_selection(args)
    downstream = [f"{model}+" for model in PYTHON_MODELS]
    before = [*LOG_FLAGS, "build", *rest]
    if selects:
        before += ["--select", *selects]
    before += ["--exclude", *excludes, *downstream]
    # after: the user's selection intersected with what depends on the Python models (dbt's "a,b" is an intersection)
    after_selects = [f"{select},{model}" for select in selects for model in downstream] if selects else downstream
    after = [*LOG_FLAGS, "build", *rest, "--select", *after_selects, "--exclude", *excludes, *PYTHON_MODELS]
    return before, after


def main(argv: Sequence[str]) -> int:
    from dbt.cli.main import dbtRunner

    args = list(argv)
    before, after = invocations(args)
    started = time.perf_counter()
    results: list[dict] = []
    first = dbtRunner().invoke(before)
    results += _run_results()
    ok = first.success
    manifest = _manifest()
    selects, excludes, _ = split_selection(args)
    wanted = _selected_models(selects, excludes) if selects or excludes else set(PYTHON_MODELS)
    if ok and builds_models(args) and wanted & set(PYTHON_MODELS):
        ok = _ltv_step(manifest, results)
    if ok:
        second = dbtRunner().invoke(after)
        results += _run_results()
        ok = second.success
    _write_run_results(results, time.perf_counter() - started)
    return 0 if ok else 1


def _selected_models(selects: list[str], excludes: list[str]) -> set[str]:
    from dbt.cli.main import dbtRunner

    command = [*LOG_FLAGS, "ls", "--resource-type", "model", "--output", "name", "--quiet"]
    if selects:
        command += ["--select", *selects]
    if excludes:
        command += ["--exclude", *excludes]
    listed = dbtRunner().invoke(command).result
    return {str(name) for name in listed} if isinstance(listed, list) else set()


def _ltv_step(manifest: dict, results: list[dict]) -> bool:
    from pyspark.sql import SparkSession

    nodes = {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    relations = {name: f"{nodes[name]['schema']}.{nodes[name]['alias']}" for name in (SUMMARY_MODEL, *PYTHON_MODELS)}
    settings = LtvSettings.from_config(nodes[FIT_MODEL]["config"])
    started = time.perf_counter()
    try:
        run_ltv_step(SparkSession.builder.getOrCreate(), relations, settings)
        status, message = "success", "written by the runner's lifetime-value step"
    except Exception as error:  # reported as the models' failure, like a failing dbt model
        status, message = "error", f"lifetime-value step failed: {error}"
    seconds = time.perf_counter() - started
    for name in PYTHON_MODELS:
        results.append(
            {
                "unique_id": nodes[name]["unique_id"],
                "status": status,
                "message": message,
                "execution_time": seconds / len(PYTHON_MODELS),
                "failures": None,
            }
        )
        _log_event(nodes[name]["unique_id"], name, status)
    return status == "success"


def _log_event(unique_id: str, name: str, status: str) -> None:
    """A NodeFinished line like dbt's, for the runner's progress bar."""
    event = {
        "info": {
            "name": "NodeFinished",
            "level": "info" if status == "success" else "error",
            "msg": f"{name} {status}",
        },
        "data": {"node_info": {"node_name": name, "unique_id": unique_id}, "run_result": {"status": status}},
    }
    sys.stdout.write(json.dumps(event) + "\n")
    sys.stdout.flush()


def _manifest() -> dict:
    return json.loads((target_dir() / "manifest.json").read_text())


def _run_results() -> list[dict]:
    path = target_dir() / "run_results.json"
    if not path.exists():
        return []
    results = json.loads(path.read_text()).get("results", [])
    path.unlink()
    return results


def _write_run_results(results: list[dict], seconds: float) -> None:
    path = target_dir() / "run_results.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps({"results": results, "elapsed_time": seconds}))
    partial.replace(path)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
