"""dbt commands without waiting for dbt's import: a `fukan-dbt` process started ahead.

Importing dbt takes about 3 s of every dbt command, and a refresh waits for two (`dbt
build`, then `dbt docs generate`). `WarmDbt` (used by `fukan run`) starts the process of
the next command ahead, while the run does other work: it listens on a Unix socket and
imports dbt. The `fukan-dbt` that dagster-dbt (or the docs step) then starts finds the
socket through FUKAN_DBT_SERVER and hands over its arguments, environment, working
folder and standard streams (the file descriptors themselves); the started-ahead process
runs the command as if it were that `fukan-dbt` and returns the exit code, which
`fukan-dbt` exits with. Each process serves one command, then exits.

Without a listening process (the web UI, a schedule, a test calling dbt), `fukan-dbt`
runs dbt itself, as before. A terminated `fukan-dbt` terminates the command it handed
over; a vanished one (killed) stops it too.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType

SERVER_VARIABLE = "FUKAN_DBT_SERVER"
_STREAMS = (0, 1, 2)  # stdin, stdout, stderr
_INT = struct.Struct("!i")


def _receive_exactly(connection: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


# --- the `fukan-dbt` side ---------------------------------------------------------------

def run_on_server(arguments: Sequence[str]) -> int | None:
    """Run the dbt command on the process listening at FUKAN_DBT_SERVER and return its exit
    code; None when there is none (nothing listens, or it ended before taking the command)."""
    path = os.environ.get(SERVER_VARIABLE)
    if not path or not hasattr(socket, "send_fds"):
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(path)
        request = json.dumps({
            "arguments": list(arguments), "program": Path(sys.argv[0]).name, "cwd": os.getcwd(),
            "environment": {k: v for k, v in os.environ.items() if k != SERVER_VARIABLE},
        }).encode()
        socket.send_fds(connection, [_INT.pack(len(request))], list(_STREAMS))
        connection.sendall(request)
        pid = _receive_exactly(connection, _INT.size)
    except OSError:  # no server, or it ended while starting
        connection.close()
        return None
    if pid is None:  # the server ended before it took the command: nothing ran
        connection.close()
        return None
    server = _INT.unpack(pid)[0]

    def forward(received: int, _frame: object) -> None:  # stopping this process stops the command
        with contextlib.suppress(ProcessLookupError):
            os.kill(server, received)

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, forward)
    code = _receive_exactly(connection, _INT.size)
    if code is None:
        print(f"fukan-dbt: the dbt process {server} ended without an exit code", file=sys.stderr)
        return 1
    return _INT.unpack(code)[0]


# --- the started-ahead side -------------------------------------------------------------

def _exit_code(exit: SystemExit) -> int:
    if exit.code is None or isinstance(exit.code, int):
        return exit.code or 0
    print(exit.code, file=sys.stderr)
    return 1


def serve(path: str) -> None:
    """Listen at `path`, import dbt, run the one command handed over, send its exit code."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)  # left by a process killed before it took a command
    listener.bind(path)
    listener.listen(1)  # a client may connect (and wait) while dbt imports
    from dbt.cli.main import cli

    from orchestration import process_gc

    process_gc.after_imports()
    connection, _ = listener.accept()
    listener.close()
    os.unlink(path)  # the next command's process may listen here now
    header, fds, _, _ = socket.recv_fds(connection, _INT.size, len(_STREAMS))
    request = json.loads(_receive_exactly(connection, _INT.unpack(header)[0]) or b"{}")
    connection.sendall(_INT.pack(os.getpid()))
    for fd, stream in zip(fds, _STREAMS, strict=True):
        os.dup2(fd, stream)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["environment"])
    done = threading.Event()

    def stop_when_the_client_vanishes() -> None:
        connection.recv(1)  # the client sends nothing more: this returns when it is gone
        if not done.is_set():
            os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=stop_when_the_client_vanishes, daemon=True).start()
    try:
        cli.main(args=request["arguments"], prog_name=request["program"])
        code = 0
    except SystemExit as exit:  # click ends every command this way
        code = _exit_code(exit)
    finally:
        done.set()
        sys.stdout.flush()
        sys.stderr.flush()
        devnull = os.open(os.devnull, os.O_RDWR)
        for stream in _STREAMS:  # the client's readers see the end of the output now
            os.dup2(devnull, stream)
    connection.sendall(_INT.pack(code))
    process_gc.before_exit()


class WarmDbt:
    """Keep a process started ahead for each of the next `commands` dbt commands this
    process (and its children) run, one at a time: the next starts when one ends."""

    def __init__(self, commands: int) -> None:
        self._commands = commands
        self._folder = Path(tempfile.mkdtemp(prefix="fukan-dbt-"))
        self._path = str(self._folder / "dbt.sock")
        self._closed = threading.Event()
        self._process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._keep_one_ready, name="warm-dbt", daemon=True)

    def _keep_one_ready(self) -> None:
        for _ in range(self._commands):
            with self._lock:
                if self._closed.is_set():
                    return
                self._process = subprocess.Popen(
                    [sys.executable, "-m", "orchestration.dbt_server", self._path],
                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                )
            self._process.wait()

    def __enter__(self) -> WarmDbt:
        if self._commands > 0 and hasattr(socket, "send_fds"):
            os.environ[SERVER_VARIABLE] = self._path
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        os.environ.pop(SERVER_VARIABLE, None)
        with self._lock:
            self._closed.set()
            if self._process is not None and self._process.poll() is None:
                self._process.kill()  # a process still waiting for a command
        if self._thread.is_alive():
            self._thread.join()
        shutil.rmtree(self._folder, ignore_errors=True)


if __name__ == "__main__":
    serve(sys.argv[1])
