"""The shared session warehouse (session_build): a worker waiting for it notices at once when the builder died."""

import subprocess
import sys
import time
from pathlib import Path

import pytest

import session_build


def _write_pid(root: Path, pid: int) -> None:
    (root / session_build.PID_FILE).write_text(str(pid))


def test_a_running_builder_is_alive(tmp_path):
    builder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _write_pid(tmp_path, builder.pid)
        assert session_build._builder_alive(tmp_path)
    finally:
        builder.kill()
        builder.wait()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="zombies are told apart through /proc (Linux)")
def test_a_killed_builder_not_yet_reaped_is_dead_and_the_wait_ends_at_once(tmp_path):
    builder = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _write_pid(tmp_path, builder.pid)
        builder.kill()
        # not reaped: the process is a zombie, which still answers kill(pid, 0)
        deadline = time.monotonic() + 10
        while Path(f"/proc/{builder.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
            assert time.monotonic() < deadline, "the killed builder did not become a zombie"
            time.sleep(0.05)
        assert not session_build._builder_alive(tmp_path)
        started = time.monotonic()
        with pytest.raises(RuntimeError, match="stopped without a result"):
            session_build.take_copy(tmp_path, tmp_path / "copy", timeout_seconds=30)
        assert time.monotonic() - started < 5
    finally:
        builder.wait()


def test_a_reaped_builder_is_dead(tmp_path):
    builder = subprocess.Popen([sys.executable, "-c", "pass"])
    builder.wait()
    _write_pid(tmp_path, builder.pid)
    assert not session_build._builder_alive(tmp_path)


def test_no_pid_file_yet_means_still_starting(tmp_path):
    assert session_build._builder_alive(tmp_path)
