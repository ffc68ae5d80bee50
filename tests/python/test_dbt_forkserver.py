"""dbt commands forked from a process that has imported dbt (cdp_runner.dbt_forkserver): each behaves as the `dbt`
executable started afresh would, in its own folder and environment, and the runner reads it like a subprocess."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from cdp_runner import dbt_forkserver
from cdp_runner.dbt_forkserver import start_dbt


def _run(args: list[str], cwd, env: dict[str, str]) -> tuple[int, str]:
    process = start_dbt(args, cwd=cwd, env=env)
    output = process.stdout.read()
    return process.wait(), output


def _environment(**changes: str) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if key != "DBT_PROFILES_DIR"}
    return {**environment, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **changes}


def test_a_command_sees_its_own_folder_and_environment_not_the_servers(tmp_path, monkeypatch):
    # the server is started with DBT_PROFILES_DIR set (as make test sets it); a command without it finds profiles.yml
    # in its working folder, as dbt does when started there
    monkeypatch.setenv("DBT_PROFILES_DIR", "/the/servers/profiles")
    dbt_forkserver._close_server()
    dbt_forkserver.start_server()
    (tmp_path / "profiles.yml").write_text("cdp: {}\n")
    code, output = _run(["debug", "--config-dir"], tmp_path, _environment())
    assert code == 0, output
    assert str(tmp_path) in output and "/the/servers/profiles" not in output

    code, output = _run(["debug", "--config-dir"], tmp_path, _environment(DBT_PROFILES_DIR="/given/profiles"))
    assert code == 0 and "/given/profiles" in output, output


def test_a_failing_command_gives_dbts_exit_code_and_error(tmp_path):
    code, output = _run(["run", "--project-dir", str(tmp_path / "missing")], tmp_path, _environment())
    assert code == 2
    assert "does not exist" in output


def test_commands_run_side_by_side(tmp_path):
    (tmp_path / "profiles.yml").write_text("cdp: {}\n")
    started = [start_dbt(["debug", "--config-dir"], cwd=tmp_path, env=_environment()) for _ in range(3)]
    outputs = [process.stdout.read() for process in started]
    assert [process.wait() for process in started] == [0, 0, 0]
    assert all(str(tmp_path) in output for output in outputs)


def test_a_server_killed_from_outside_is_replaced(tmp_path):
    dbt_forkserver.start_server()
    server = dbt_forkserver._server
    assert server is not None
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait()
    code, output = _run(["--version"], tmp_path, _environment())
    assert code == 0 and "Core" in output, output
    assert dbt_forkserver._server is not server


def test_a_commands_cpu_time_counts_in_the_runners(tmp_path):
    # Each process is waited for by its parent, so `time cdp build` counts dbt's work: the server's waited-for
    # children's CPU time (/proc's cutime and cstime, in clock ticks) holds a parse of a one-model project, which
    # takes well over half a CPU-second. Processes left to the kernel to reap would count nowhere.
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "one.sql").write_text("select 1 as one\n")
    (tmp_path / "dbt_project.yml").write_text("name: one\nversion: '1.0.0'\nprofile: one\n")
    (tmp_path / "profiles.yml").write_text("one:\n  target: t\n  outputs:\n    t: {type: duckdb, path: one.duckdb}\n")
    dbt_forkserver._close_server()
    code, output = _run(
        ["parse", "--project-dir", str(tmp_path), "--profiles-dir", str(tmp_path)], tmp_path, _environment()
    )
    assert code == 0, output
    server = dbt_forkserver._server
    assert server is not None
    deadline = time.monotonic() + 10
    while True:  # the server reaps the command's watcher when the kernel tells it the watcher ended
        fields = Path(f"/proc/{server.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        children_seconds = (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
        if children_seconds > 0.5 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert children_seconds > 0.5


@pytest.fixture(autouse=True)
def _fresh_server_afterwards():
    yield
    dbt_forkserver._close_server()
