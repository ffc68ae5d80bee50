"""dbt commands started from a process that has already imported dbt: one fork per command instead of a new Python.

Importing dbt costs about 3.5 CPU-seconds, half of a dbt command that finds nothing to do, and a runner process often
runs several commands (`cdp demo` three, a test session about a hundred). The server is a Python process of its own
that imports dbt once, never runs it, and holds no thread; for each command it forks a child that runs dbt as the
`dbt` executable would (its own working folder, environment and arguments, output to the caller's pipe, a normal
interpreter exit). So each command is still a process of its own, which dbt-duckdb needs (it keeps its database
handle open for the life of the process), and the caller reads it like a subprocess.

    process = start_dbt(["build", "--select", "x"], cwd=folder, env=environment)
    for line in process.stdout: ...
    return_code = process.wait()

Protocol: the caller sends each command as one datagram on a Unix socket pair, with two pipe ends attached (dbt's
output; the exit status). The server forks a watcher per command, which forks the dbt child, waits for it and writes
its exit status, so that the server never waits and several commands can run at once. Every process is waited for by
its parent, so dbt's CPU time counts in the runner's, as a subprocess's would.

    python -m cdp_runner.dbt_forkserver FD   # FD: the server's end of the socket pair (the runner starts it)
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO

# One command's request: its arguments, working folder and environment (a few kilobytes).
MAX_REQUEST = 1 << 20
READY = b"ready"


class DbtProcess:
    """A dbt command running in a child of the server, read like subprocess.Popen with text output."""

    def __init__(self, output: int, status: int) -> None:
        self.stdout: IO[str] = open(output, encoding="utf-8", errors="replace")  # closed in wait()
        self._status = status
        self.returncode: int | None = None

    def wait(self) -> int:
        """The exit code once the command has ended (negative: killed by that signal), as Popen.wait gives it."""
        if self.returncode is None:
            self.stdout.read()  # the rest of the output, so that a child writing it is never blocked
            self.stdout.close()
            with open(self._status, "rb") as status:
                written = status.read().strip()
            # no status: the watcher itself was killed, and with it what dbt did is unknown
            self.returncode = int(written) if written else 1
        return self.returncode


class _Server:
    """The runner's side: the server process and its socket."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.socket = ours
        self.process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(theirs.fileno())],
            pass_fds=[theirs.fileno()],
            # its commands write to the caller's pipes; the server itself reports over the socket only
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        theirs.close()
        self.ready: bool | None = None
        self.lock = threading.Lock()

    def start(self, args: list[str], cwd: Path, env: dict[str, str]) -> DbtProcess:
        with self.lock:
            if self.ready is None:
                answer = self.socket.recv(MAX_REQUEST)
                self.ready = answer == READY
                if not self.ready:
                    raise ModuleNotFoundError(answer.decode(errors="replace") or "the dbt server did not start")
            output_read, output_write = os.pipe()
            status_read, status_write = os.pipe()
            request = json.dumps({"args": args, "cwd": str(cwd), "env": env}).encode()
            try:
                socket.send_fds(self.socket, [request], [output_write, status_write])
            except OSError:
                for fd in (output_read, status_read):
                    os.close(fd)
                raise
            finally:
                os.close(output_write)
                os.close(status_write)
        return DbtProcess(output_read, status_read)

    def close(self) -> None:
        self.socket.close()  # the server ends when it reads the end of its socket
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a command still running: its dbt child carries on without the server
            self.process.kill()
            self.process.wait()


_server: _Server | None = None
_server_lock = threading.Lock()


def _forget_server_in_child() -> None:
    # a forked runner starts a server of its own rather than share its parent's socket
    global _server
    _server = None


os.register_at_fork(after_in_child=_forget_server_in_child)


def _close_server() -> None:
    if _server is not None:
        _server.close()


atexit.register(_close_server)


def start_server() -> None:
    """Starts the server unless one is running (a new one when the last was killed)."""
    global _server
    with _server_lock:
        if _server is None or _server.process.poll() is not None:
            _server = _Server()


def start_dbt(args: list[str], *, cwd: Path, env: dict[str, str]) -> DbtProcess:
    """Runs `dbt ARGS` in `cwd` with exactly the environment `env`. Raises ModuleNotFoundError when dbt cannot be
    imported."""
    start_server()
    assert _server is not None
    try:
        return _server.start(args, cwd, env)
    except (BrokenPipeError, ConnectionResetError):
        # the server has gone (killed from outside): one new one
        start_server()
        return _server.start(args, cwd, env)


# ------------------------------------------------------------------------------------------------------ the server


def _reap(*_: object) -> None:
    # Waited for, not left to the kernel: a process's CPU time counts in its parent's only once the parent has
    # waited for it, and `time cdp build` is to count dbt's.
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def _serve(connection: socket.socket) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the dbt child's to handle; the server ends with the runner
    signal.signal(signal.SIGCHLD, _reap)
    try:
        # dbt's command line and the default adapter (imported when a command first connects)
        import dbt.adapters.duckdb
        import dbt.cli.main  # noqa: F401
    except ImportError as error:
        connection.send(f"dbt cannot be imported: {error}".encode())
        return
    connection.send(READY)
    while True:
        request, fds, _, _ = socket.recv_fds(connection, MAX_REQUEST, 2)
        if not request:  # the runner closed its end: what is still running is waited for
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            try:
                while True:
                    os.wait()
            except ChildProcessError:
                return
        if os.fork() == 0:
            connection.close()
            _watch(json.loads(request), *fds)
        for fd in fds:
            os.close(fd)


def _watch(request: dict, output: int, status: int) -> None:
    """The watcher: forks the dbt child, waits for it and writes its exit status. Never returns."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    child = os.fork()
    if child == 0:
        os.close(status)
        _run_dbt(request, output)
    os.close(output)
    _, wait_status = os.waitpid(child, 0)
    os.write(status, str(os.waitstatus_to_exitcode(wait_status)).encode())
    os._exit(0)


def _run_dbt(request: dict, output: int) -> None:
    """The dbt child: what the `dbt` executable does, in the request's folder and environment. Ends the process."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    stdin = os.open(os.devnull, os.O_RDONLY)
    os.dup2(stdin, 0)
    os.close(stdin)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv = ["dbt", *request["args"]]
    from dbt.cli.main import cli

    # click ends with SystemExit; the interpreter then exits as the dbt executable's would (exit handlers, flushing)
    cli.main(args=request["args"], prog_name="dbt")
    sys.exit(0)


if __name__ == "__main__":
    _serve(socket.socket(fileno=int(sys.argv[1])))
