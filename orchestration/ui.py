"""`make ui` / `python -m orchestration.ui`: the Dagster web UI on 127.0.0.1, ready to use.

Prepares what `dagster dev` needs (DAGSTER_HOME with telemetry off, the dbt manifest,
absolute landing and warehouse paths so every Dagster process agrees), then runs it in
its own process group and stops that whole group on Ctrl-C or SIGTERM. Started as a
child, `dagster dev` would otherwise inherit an ignored SIGINT from a non-interactive
shell and ignore SIGTERM too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from orchestration import config
from orchestration.dbt_project import ensure_manifest
from orchestration.instance import ensure_dagster_home

DEFAULT_PORT = "3000"
HOST = "127.0.0.1"
STOP_GRACE_SECONDS = 30


def _command(port: str) -> list[str]:
    dagster = Path(sys.executable).parent / "dagster"
    return [str(dagster), "dev", "-m", "orchestration.definitions", "-h", HOST, "-p", port]


def _environment(home: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "FUKAN_LANDING_DIR": str(config.landing_dir()),
        "FUKAN_WAREHOUSE": str(config.warehouse_path()),
    }


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def main() -> int:
    home = ensure_dagster_home()
    ensure_manifest()
    port = os.environ.get("FUKAN_UI_PORT", DEFAULT_PORT)

    deadline: list[float] = []  # set once a stop was asked for
    children: list[subprocess.Popen] = []

    def stop(signum: int, _frame: FrameType | None) -> None:
        # Ctrl-C on a terminal interrupts the whole foreground group; do the same for the
        # group of `dagster dev`, whatever signal reached us.
        if not deadline:
            deadline.append(time.monotonic() + STOP_GRACE_SECONDS)
            print(f"\nStopping the Dagster UI ({signal.Signals(signum).name})...", flush=True)
        if children:
            _signal_group(children[0].pid, signal.SIGINT)

    # Handlers first: a handled signal is reset to the default in the child at exec,
    # an ignored one would stay ignored there.
    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print(f"Dagster UI on http://{HOST}:{port} (DAGSTER_HOME={home}); Ctrl-C to stop.", flush=True)
    child = subprocess.Popen(_command(port), env=_environment(home), cwd=config.PROJECT_ROOT, start_new_session=True)
    children.append(child)
    if deadline:  # a signal arrived while starting
        _signal_group(child.pid, signal.SIGINT)

    while True:
        try:
            code = child.wait(timeout=1)
            break
        except subprocess.TimeoutExpired:
            if deadline and time.monotonic() > deadline[0]:
                _signal_group(child.pid, signal.SIGKILL)
    # Code servers or run workers left behind by dagster dev go with it.
    if _group_alive(child.pid):
        _signal_group(child.pid, signal.SIGTERM)
        time.sleep(2)
        _signal_group(child.pid, signal.SIGKILL)
    return 0 if deadline else code


if __name__ == "__main__":
    sys.exit(main())
