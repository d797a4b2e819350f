"""Run a command and measure it: wall seconds and peak RSS of its whole process tree.

The tree matters: dbt, DuckDB and Dagster may start helpers, and a figure for the parent
alone would flatter the pipeline. RSS is sampled every `interval` seconds (about 0.2 s),
summing the process and all its descendants, so a spike shorter than that can be missed.
psutil is used when it is installed; otherwise Linux's /proc is read directly (the stack
does not install psutil).
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

try:
    import psutil
except ImportError:  # not a dependency of the stack: fall back to /proc
    psutil = None

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def _children_by_parent() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as file:
                stat = file.read()
        except OSError:  # the process ended while we looked
            continue
        # "pid (comm) state ppid ...": comm may hold spaces and parentheses; split after the last ")".
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    return children


def _rss_of(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", "rb") as file:
            return int(file.read().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss(pid: int) -> int:
    """Bytes resident in `pid` and all its descendants right now (0 once it is gone)."""
    if psutil is not None:
        try:
            root = psutil.Process(pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += process.memory_info().rss
        return total
    children = _children_by_parent()
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += _rss_of(current)
        todo.extend(children.get(current, []))
    return total


@dataclass(frozen=True)
class Measured:
    command: list[str]
    seconds: float
    peak_rss_bytes: int
    returncode: int | None  # None: killed (timeout or memory limit), see `killed_because`
    log_path: Path
    killed_because: str | None = None
    cpu_seconds: float | None = None  # user + system time of the tree (of the processes that were waited for)
    load_average: tuple[float, float] | None = None  # 1-minute load average at the start and at the end

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 15) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def run_measured(
    command: list[str],
    log_path: Path,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float | None = None,
    interval: float = 0.2,
    heartbeat: Callable[[float, int], None] | None = None,
    heartbeat_every: float = 30.0,
    max_rss_bytes: int | None = None,
) -> Measured:
    """Run `command` with its output in `log_path`; sample the tree's RSS until it ends.

    `heartbeat(elapsed_seconds, current_rss)` is called every `heartbeat_every` seconds,
    so a long stage shows it is alive. The process group is killed after `timeout`
    seconds or once the tree holds more than `max_rss_bytes` (the machine is shared).
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    peak = 0
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    with log_path.open("w", encoding="utf-8") as log:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True
        )
        next_beat = heartbeat_every
        while process.poll() is None:
            rss = tree_rss(process.pid)
            peak = max(peak, rss)
            elapsed = time.perf_counter() - started
            reason = None
            if timeout is not None and elapsed > timeout:
                reason = f"still running after the {timeout:.0f} s timeout"
            elif max_rss_bytes is not None and rss > max_rss_bytes:
                reason = f"its memory passed the limit of {max_rss_bytes / 2**30:.1f} GiB"
            if reason:
                os.killpg(process.pid, 9)
                process.wait()
                return Measured(
                    command,
                    elapsed,
                    peak,
                    None,
                    log_path,
                    reason,
                    _children_cpu() - cpu_before,
                    (load_before, os.getloadavg()[0]),
                )
            if heartbeat is not None and elapsed >= next_beat:
                heartbeat(elapsed, rss)
                next_beat += heartbeat_every
            time.sleep(interval)
        seconds = time.perf_counter() - started
    return Measured(
        command,
        seconds,
        peak,
        process.returncode,
        log_path,
        None,
        _children_cpu() - cpu_before,
        (load_before, os.getloadavg()[0]),
    )


def _children_cpu() -> float:
    """CPU seconds of every waited-for descendant so far: the difference around one run
    is that run's, since the benchmark runs one command at a time. Unlike wall time it
    barely moves when other work shares the cores."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
