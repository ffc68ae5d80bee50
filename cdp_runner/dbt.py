"""Running dbt: a process of its own with JSON logs (for a live progress bar), then run_results.json for the outcome.

A process of its own rather than dbtRunner in-process: dbt-duckdb keeps its database handle open for the life of the
process, which would lock the warehouse against the runner's own connections (loads, look-ups, exports). The process
is forked from one that has already imported dbt (cdp_runner.dbt_forkserver, which says what that saves); a Spark
build is a subprocess (cdp_runner.spark.build).

Every invocation writes its artefacts into a target folder of its own (target/runs/<id>/, seeded with the last
partial-parse state), reads its own run_results.json there, then publishes the artefacts into target/ (each file
by an atomic rename): two dbt commands running at once in one project folder, against two warehouses, never read
each other's results. The partial-parse state is kept per dbt target and `--vars` value (_parse_state_name).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .config import DEFAULT_TARGET, PROJECT_DIR, dbt_environment, is_spark, target_name, warehouse_path
from .dbt_forkserver import DbtProcess, start_dbt
from .errors import UserError, make_folder
from .warehouse import is_lock_conflict, warehouse_problem

RESULT_COMMANDS = {"build", "run", "test", "seed", "snapshot"}
# dbt's partial-parse state, in the target folder dbt writes it to
PARSE_STATE = "partial_parse.msgpack"
FAILED_STATUSES = {"error", "fail", "runtime error"}
# The info-level events dbt emits once per node that finished (ran, failed or was skipped), each with `index` and
# `total`: what the progress bar counts. NodeFinished says the same but only at debug level, so dbt does not emit it
# with the default log level.
FINISHED_EVENTS = {
    "LogModelResult",
    "LogTestResult",
    "LogSeedResult",
    "LogSnapshotResult",
    "LogFunctionResult",
    "LogFreshnessResult",
    "LogNodeResult",
    "LogNodeNoOpResult",
    "SkippingDetails",
    "LogSkipBecauseError",
}


@dataclass
class NodeResult:
    unique_id: str
    resource_type: str
    status: str
    message: str | None
    seconds: float
    failures: int | None


@dataclass
class DbtOutcome:
    command: list[str]
    success: bool
    results: list[NodeResult] = field(default_factory=list)
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)

    @property
    def failed(self) -> list[NodeResult]:
        return [result for result in self.results if result.status in FAILED_STATUSES]


def target_dir() -> Path:
    """dbt's target folder: DBT_TARGET_PATH (dbt's own setting, read by the dbt subprocess too) lets
    concurrent runs, such as parallel test sessions, keep their artefacts apart."""
    configured = os.environ.get("DBT_TARGET_PATH")
    if configured:
        return Path(configured) if Path(configured).is_absolute() else PROJECT_DIR / configured
    return PROJECT_DIR / "target"


def run_dbt(
    args: Sequence[str],
    *,
    warehouse: str | Path | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    with_manifest: bool = False,
) -> DbtOutcome:
    """Run one dbt command against the warehouse and collect its node results.

    on_progress(done, total, node_name) is called as nodes finish. with_manifest: the command starts with the last
    published manifest.json in its target folder (`docs generate --no-compile` reads the last build's from there).
    """
    database = warehouse_path(warehouse)
    make_folder(database.parent)
    make_folder(target_dir() / "runs")
    state = _parse_state_name(args)
    run_target = _private_target(target_dir(), state, with_manifest=with_manifest)
    try:
        outcome = _run(args, database, run_target, on_progress)
        _publish(run_target, target_dir(), state)
    finally:
        shutil.rmtree(run_target, ignore_errors=True)
    return outcome


def _run(
    args: Sequence[str], database: Path, run_target: Path, on_progress: Callable[[int, int, str], None] | None
) -> DbtOutcome:
    environment = dbt_environment(Path(database.name), database.parent)
    # dbt parses the whole project again (8–12 s) when the profile differs from its last run's, and the warehouse's
    # path is part of the profile: dbt runs in the warehouse's folder and opens it by file name, so that warehouses of
    # the same name in different folders (each test's own, a copy) reuse one parse.
    process: subprocess.Popen[str] | DbtProcess
    if args and args[0] == "build" and is_spark():
        # dbt, the lifetime-value step and dbt again, in one process with one Spark session (cdp_runner.spark.build),
        # which finds its target folder in DBT_TARGET_PATH
        environment["DBT_TARGET_PATH"] = str(run_target)
        process = subprocess.Popen(
            [sys.executable, "-m", "cdp_runner.spark.build", *args[1:]],
            cwd=database.parent,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
    else:
        command = [
            "--log-format",
            "json",
            "--no-use-colors",
            *args,
            "--project-dir",
            str(PROJECT_DIR),
            "--profiles-dir",
            str(PROJECT_DIR),
        ]
        if "--target-path" not in args:
            command += ["--target-path", str(run_target)]
        try:
            process = start_dbt(command, cwd=database.parent, env=environment)
        except ModuleNotFoundError:
            raise UserError("dbt is not installed in this environment: run 'make setup'") from None
    errors: list[str] = []
    done = 0
    assert process.stdout is not None
    for line in process.stdout:
        event = _parse_event(line)
        if event is None:
            continue
        info, data = event.get("info", {}), event.get("data", {})
        if info.get("level") == "error" and info.get("msg"):
            errors.append(" ".join(str(info["msg"]).split()))
        # the node count is `total`, or `num_models` in a test's result
        total = data.get("total", data.get("num_models"))
        if on_progress and total is not None and "index" in data:
            done += info.get("name") in FINISHED_EVENTS
            on_progress(done, int(total), data.get("node_info", {}).get("node_name", ""))
    return_code = process.wait()
    outcome = DbtOutcome(command=list(args), success=return_code == 0, errors=errors)
    run_results = run_target / "run_results.json"
    if args and args[0] in RESULT_COMMANDS and run_results.exists():
        outcome.results, outcome.seconds = read_run_results(run_results)
    if return_code != 0:
        # Another process had the warehouse open: the same message as the runner's own connections give.
        busy = next(
            (text for text in [*errors, *(r.message or "" for r in outcome.failed)] if is_lock_conflict(text)), None
        )
        if busy is not None:
            raise UserError(warehouse_problem(database, busy))
    if return_code != 0 and not outcome.results:
        # dbt stopped before running any node: a project, parse or connection problem, not a failed model.
        reason = errors[-1] if errors else f"exit code {return_code}"
        raise UserError(f"dbt {' '.join(args)} failed: {reason}")
    return outcome


def _parse_state_name(args: Sequence[str]) -> str:
    """The name the partial-parse state of an invocation with these arguments is kept under in target/: one state per
    dbt target and `--vars` value. dbt parses the whole project again (10-25 s) when the target or the vars differ
    from its state's, so a command with vars of its own (an as-of date, a switch) or on the other engine would
    otherwise cost a full parse twice: its own, and the next ordinary command's."""
    given_as_one = [arg.removeprefix("--vars=") for arg in args if arg.startswith("--vars=")]
    key = [target_name(), *flag_values(args, "--vars"), *given_as_one]
    if key == [DEFAULT_TARGET]:
        return PARSE_STATE  # where plain dbt finds it too
    return f"partial_parse.{hashlib.sha256(chr(0).join(key).encode()).hexdigest()[:16]}.msgpack"


def flag_values(args: Sequence[str], flag: str) -> list[str]:
    """The values given after every `flag` in a dbt command line."""
    values: list[str] = []
    taking = False
    for arg in args:
        if arg.startswith("-"):
            taking = arg == flag
        elif taking:
            values.append(arg)
    return values


# Artefacts a dbt command leaves in its target folder that later commands read (the manifest, the docs site) or
# that speed up the next parse; published into target/ after every invocation.
def _private_target(shared: Path, state: str, *, with_manifest: bool = False) -> Path:
    """A new target folder for one invocation, with the partial-parse state kept under `state` (so dbt parses only
    what changed) and, when asked, the last manifest."""
    private = Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=shared / "runs"))
    for source, name in ((state, PARSE_STATE), *([("manifest.json", "manifest.json")] if with_manifest else [])):
        try:
            shutil.copy2(shared / source, private / name)
        except OSError:
            pass  # none yet, or another invocation is replacing it: this one parses in full / does without
    return private


def _publish(private: Path, shared: Path, state: str) -> None:
    """Move an invocation's artefacts into target/ (its partial-parse state as `state`): files by atomic rename,
    folders (compiled SQL) replaced whole."""
    for entry in private.iterdir():
        destination = shared / (state if entry.name == PARSE_STATE else entry.name)
        try:
            if entry.is_dir():
                retired = shared / "runs" / f".retired-{entry.name}-{private.name}"
                if destination.exists():
                    os.replace(destination, retired)
                os.replace(entry, destination)
                shutil.rmtree(retired, ignore_errors=True)
            else:
                os.replace(entry, destination)
        except OSError:
            continue  # another invocation published the same folder at the same moment: either is fine


def _parse_event(line: str) -> dict | None:
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


def read_run_results(path: Path) -> tuple[list[NodeResult], float]:
    payload = json.loads(path.read_text())
    results = [
        NodeResult(
            unique_id=item["unique_id"],
            resource_type=item["unique_id"].split(".", 1)[0],
            status=item["status"],
            message=item.get("message"),
            seconds=float(item.get("execution_time") or 0.0),
            failures=item.get("failures"),
        )
        for item in payload.get("results", [])
    ]
    return results, float(payload.get("elapsed_time") or 0.0)
