"""Every command's error paths: one line starting with `Error:`, exit status 1, no traceback, nothing half-written.

A warehouse that is busy (another command has it open), damaged, not a warehouse, not writable, or missing; output
paths with a file in the way; files that cannot be read. Click's own usage errors keep status 2.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from cdp_runner import warehouse as warehouse_module
from cdp_runner.cli import main
from cdp_runner.dbt import run_dbt, target_dir
from cdp_runner.errors import UserError

STORES = "store_id,store_name\nS1,One\n"


def invoke(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env={"CDP_WAREHOUSE_WAIT": "0", **(env or {})})


def assert_one_error_line(result, *fragments: str) -> str:
    """The command failed as a user error: exit status 1 and exactly one line, `Error: ...`, naming the fragments."""
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 1, result.output
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: "), result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def stores_file(tmp_path) -> Path:
    path = tmp_path / "stores.csv"
    path.write_text(STORES)
    return path


@pytest.fixture
def loaded(tmp_path, stores_file) -> Path:
    """A warehouse holding one load."""
    warehouse = tmp_path / "loaded.duckdb"
    assert invoke("load", str(stores_file), "--warehouse", str(warehouse)).exit_code == 0
    return warehouse


class Holder:
    """Another process with the warehouse open, as a running `cdp load` has it (the same connect)."""

    def __init__(self, warehouse: Path) -> None:
        script = (
            "import sys\n"
            "from cdp_runner.warehouse import connect\n"
            f"with connect({str(warehouse)!r}, create=True):\n"
            "    print('ready', flush=True)\n"
            "    sys.stdin.readline()\n"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None and self.process.stdout.readline().strip() == "ready"

    def release(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def busy(loaded):
    holder = Holder(loaded)
    yield loaded
    holder.release()


# --- a warehouse another command has open -------------------------------------------------------------------------


def test_a_load_during_a_load_is_refused_with_the_holder_named(busy, tmp_path):
    other = tmp_path / "stores_more.csv"
    other.write_text("store_id,store_name\nS2,Two\n")
    line = assert_one_error_line(invoke("load", str(other), "--warehouse", str(busy)), "is busy", "process ")
    assert str(busy) in line


def test_a_build_during_a_load_is_refused_before_dbt_starts(busy):
    assert_one_error_line(invoke("build", "--warehouse", str(busy)), "is busy")


@pytest.mark.parametrize(
    "args",
    [
        ["profile", "someone@example.com"],
        ["forget", "someone@example.com", "--yes"],
        ["evaluate", "--truth", "."],
        ["docs"],
        ["export-marts", "bi"],
        ["segments"],
    ],
    ids=lambda args: args[0],
)
def test_every_command_refuses_a_busy_warehouse(busy, tmp_path, args):
    if args[0] == "evaluate":
        truth = tmp_path / "ground_truth.parquet"
        truth.write_bytes(b"PAR1")
        args = ["evaluate", "--truth", str(truth)]
    if args[0] == "export-marts":
        args = ["export-marts", str(tmp_path / "bi")]
    assert_one_error_line(invoke(*args, "--warehouse", str(busy)), "is busy")


def test_dbt_started_while_another_process_has_the_warehouse_says_so(busy):
    with pytest.raises(UserError, match="is busy"):
        run_dbt(["seed", "--select", "currency_rates"], warehouse=busy)


def test_a_command_waits_for_a_warehouse_that_comes_free(loaded, tmp_path):
    holder = Holder(loaded)
    threading.Timer(1.0, holder.release).start()
    other = tmp_path / "stores_more.csv"
    other.write_text("store_id,store_name\nS2,Two\n")
    started = time.monotonic()
    result = invoke("load", str(other), "--warehouse", str(loaded), env={"CDP_WAREHOUSE_WAIT": "60"})
    assert result.exit_code == 0, result.output
    assert 0.5 < time.monotonic() - started < 60


def test_two_dbt_commands_in_one_project_folder_read_their_own_results(tmp_path):
    """Each invocation has its own target folder: neither reads the other's run_results.json."""
    outcomes = {}

    def seed(name: str) -> None:
        outcomes[name] = run_dbt(["seed", "--select", name], warehouse=tmp_path / name / "warehouse.duckdb")

    threads = [threading.Thread(target=seed, args=(name,)) for name in ("currency_rates", "rfm_segments")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name, outcome in outcomes.items():
        # the project's on-run-start hook (an operation, a no-op on DuckDB) has a result of its own in each run
        seeded = [result for result in outcome.results if result.resource_type != "operation"]
        assert [result.unique_id.split(".")[-1] for result in seeded] == [name]
    assert (target_dir() / "manifest.json").exists() and (target_dir() / "run_results.json").exists()
    assert not [path for path in (target_dir() / "runs").iterdir() if not path.name.startswith(".")]


# --- a warehouse that is not one, is damaged, or cannot be written -----------------------------------------------


def _zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(20000))


def _truncated(path: Path, source: Path) -> None:
    path.write_bytes(source.read_bytes()[:8000])


@pytest.mark.parametrize(
    ("damage", "message"),
    [(_zero_bytes, "is not a DuckDB warehouse"), (_garbage, "is not a DuckDB warehouse"), (_truncated, "is damaged")],
    ids=["zero bytes", "garbage", "truncated"],
)
@pytest.mark.parametrize(
    "command", [["load", "STORES"], ["build"], ["profile", "x@example.com"], ["forget", "x@example.com", "--yes"]]
)
def test_a_damaged_warehouse_is_one_line(tmp_path, loaded, stores_file, damage, message, command):
    damaged = tmp_path / "damaged.duckdb"
    if damage is _truncated:
        _truncated(damaged, loaded)
    else:
        damage(damaged)
    before = damaged.read_bytes()
    args = [str(stores_file) if part == "STORES" else part for part in command]
    assert_one_error_line(invoke(*args, "--warehouse", str(damaged)), message, str(damaged))
    assert damaged.read_bytes() == before


@pytest.mark.parametrize(
    "failure",
    [
        'IO Error: Cannot open file "{path}": Permission denied',
        'IO Error: Cannot open file "{path}.wal": Read-only file system',
    ],
    ids=["read-only file", "read-only folder"],
)
def test_a_warehouse_that_cannot_be_written_is_one_line(loaded, stores_file, monkeypatch, failure):
    # The tests run as root, whom file modes do not stop: DuckDB's failure is simulated, with its own wording.
    def refuse(database, read_only=False):
        raise duckdb.IOException(failure.format(path=database))

    monkeypatch.setattr(warehouse_module.duckdb, "connect", refuse)
    assert_one_error_line(invoke("load", str(stores_file), "--warehouse", str(loaded)), "permission denied")


@pytest.mark.parametrize(
    "args",
    [
        ["forget", "someone@example.com", "--yes"],
        ["profile", "someone@example.com"],
        ["profile", "someone@example.com", "--json"],
        ["docs"],
        ["evaluate", "--truth", "TRUTH"],
        ["export-marts", "BI"],
        ["export", "loyal_buyers_email", "--to", "crm_email", "--out", "BI"],
        ["segments"],
    ],
    ids=lambda args: " ".join(args[:2]),
)
def test_commands_on_a_warehouse_that_does_not_exist_create_nothing(tmp_path, args):
    missing = tmp_path / "nowhere" / "warehouse.duckdb"
    (tmp_path / "ground_truth.parquet").write_bytes(b"PAR1")
    args = [
        str(tmp_path / "ground_truth.parquet") if part == "TRUTH" else str(tmp_path / "bi") if part == "BI" else part
        for part in args
    ]
    result = invoke(*args, "--warehouse", str(missing))
    if "--json" in args:
        assert result.exit_code == 1 and '"error"' in result.output and "no warehouse at" in result.output
    else:
        assert_one_error_line(result, "no warehouse at", str(missing))
    assert not missing.parent.exists() and not (tmp_path / "bi").exists()


# --- paths with a file in the way, files that cannot be read -------------------------------------------------------


def test_a_warehouse_path_under_a_file_is_one_line(stores_file):
    assert_one_error_line(
        invoke("load", str(stores_file), "--warehouse", str(stores_file / "warehouse.duckdb")),
        f"{stores_file} is a file, not a folder",
    )


def test_generate_and_demo_into_a_folder_under_a_file_are_one_line(stores_file):
    assert_one_error_line(invoke("generate", "--customers", "5", "--out", str(stores_file / "data")), "is a file")
    # the demo prints its steps as it goes; the failure is still one Error line, the last
    demo = invoke("demo", "--customers", "5", "--data-dir", str(stores_file / "data"), "--warehouse", "x.duckdb")
    lines = [line for line in demo.output.splitlines() if line.strip()]
    assert demo.exit_code == 1 and "Traceback" not in demo.output
    assert [line for line in lines if line.startswith("Error: ")] == lines[-1:] and "is a file" in lines[-1]


def test_export_and_export_marts_into_a_folder_under_a_file_are_one_line(built_warehouse, tmp_path):
    blocker = tmp_path / "report.txt"
    blocker.write_text("a file")
    assert_one_error_line(
        invoke(
            "export",
            "loyal_buyers_email",
            "--to",
            "crm_email",
            "--out",
            str(blocker / "out"),
            "--warehouse",
            str(built_warehouse.warehouse),
        ),
        f"{blocker} is a file, not a folder",
    )
    assert_one_error_line(
        invoke("export-marts", str(blocker / "bi"), "--warehouse", str(built_warehouse.warehouse)), "is a file"
    )


def test_a_file_system_failure_no_command_expected_is_one_line(stores_file, tmp_path, monkeypatch):
    from cdp_runner.ingest import loader

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path))

    monkeypatch.setattr(loader, "connect", full_disk)
    warehouse = str(tmp_path / "w.duckdb")
    assert_one_error_line(invoke("load", str(stores_file), "--warehouse", warehouse), "No space left on device")
    debug = invoke("load", str(stores_file), "--warehouse", warehouse, env={"CDP_DEBUG": "1"})
    assert isinstance(debug.exception, OSError)  # CDP_DEBUG=1 keeps the traceback


# --- cdp serve: what it refuses before it starts (a warehouse not built yet is a page, not an error) ---------------


@pytest.mark.parametrize(
    ("tokens", "args", "fragment"),
    [
        (None, ["--host", "0.0.0.0"], "only with a tokens file"),
        ("tokens: [{name: ops}]\n", [], "role must be one of"),
        ("tokens: [unclosed\n", [], "cannot read the tokens file"),
        ("- not a mapping\n", [], "expected 'tokens:'"),
    ],
    ids=["open address without tokens", "token without a role", "not YAML", "not a tokens file"],
)
def test_serve_refuses_what_it_cannot_serve_safely_in_one_line(tmp_path, loaded, tokens, args, fragment):
    if tokens is not None:
        (tmp_path / "tokens.yml").write_text(tokens)
        args = [*args, "--tokens", str(tmp_path / "tokens.yml")]
    assert_one_error_line(invoke("serve", *args, "--warehouse", str(loaded)), fragment)


def test_usage_errors_keep_click_status_2(tmp_path):
    for args in (["generate", "--out", str(tmp_path), "--seed", "-1"], ["load"], ["export", "x"]):
        result = invoke(*args)
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output
