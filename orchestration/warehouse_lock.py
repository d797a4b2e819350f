"""One refresh of a warehouse at a time: a file lock beside the DuckDB file, held by a run
from its start to its end.

A refresh is a sequence of writers (ingest, dbt, checks, publish) whose later steps read
what the earlier ones wrote, so two runs must not interleave their steps: the second
waits, as a whole, until the first ends. Every run that uses the warehouse takes the
lock as it starts (`WarehouseResource`), whichever way it was launched (`fukan run`, the
UI, the schedule, a sensor), and holds it until the run ends. It is a `flock` on a file
of its own: the kernel releases it when the process holding it ends, however it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

# How the waiting run says so; `fukan run` shows this line in the terminal too.
WAITING = "Waiting for the other refresh"
_POLL_SECONDS = 0.5


def lock_path(warehouse: Path) -> Path:
    return warehouse.with_name(warehouse.name + ".lock")


def _holder(fd: int) -> str:
    """Who holds the lock, as its holder wrote it (best effort: it may be writing it now)."""
    try:
        holder = json.loads(os.pread(fd, 4096, 0) or b"{}")
    except ValueError:
        holder = {}
    if not holder:
        return "another process"
    return (
        f"run {holder.get('run_id')}, process {holder.get('pid')} on {holder.get('host')}, since {holder.get('since')}"
    )


def _try_lock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


@contextlib.contextmanager
def hold_warehouse(warehouse: Path, run_id: str, say: Callable[[str], None]) -> Iterator[None]:
    """Hold the warehouse's lock for `run_id`, waiting (and saying so once) while another
    run holds it. Polled rather than blocking, so the waiting run stays interruptible."""
    path = lock_path(Path(warehouse))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by child processes
    try:
        if not _try_lock(fd):
            say(f"{WAITING} of {warehouse} ({_holder(fd)}) to end; this run starts when it has.")
            while not _try_lock(fd):
                time.sleep(_POLL_SECONDS)
        holder = {
            "run_id": run_id,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
