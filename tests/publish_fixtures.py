"""Helpers of the quality-gate and publish tests: copies of a built warehouse with its
Dagster instance and published folder, a digest of every byte in `published/`, a BI
reader in another process, and runs of only the check and publish steps through Dagster.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dagster import AssetCheckKey, DagsterInstance, Definitions, ExecuteInProcessResult

from orchestration import config
from orchestration.assets.publish import PUBLISHED_KEY
from orchestration.publish import read_manifest

READER = Path(__file__).with_name("published_reader.py")


@dataclass(frozen=True)
class Sandbox:
    """A warehouse file, the published folder beside it, and the Dagster instance that built it."""

    warehouse: Path
    home: Path

    @property
    def published(self) -> Path:
        return config.published_dir(self.warehouse)

    def copy(self, root: Path) -> Sandbox:
        """An independent copy (symlinks of the published folder kept as symlinks).

        The copied dagster.yaml names the original's event log folder (an absolute path):
        it is pointed at the copy's, or the copy's runs would write into the original.
        """
        target = Sandbox(root / "warehouse" / self.warehouse.name, root / "dagster_home")
        target.warehouse.parent.mkdir(parents=True)
        shutil.copy2(self.warehouse, target.warehouse)
        shutil.copytree(self.home, target.home)
        settings = target.home / "dagster.yaml"
        text = settings.read_text(encoding="utf-8")
        assert str(self.home.resolve()) in text, "the instance's event log is no longer where the copy expects it"
        settings.write_text(text.replace(str(self.home.resolve()), str(target.home.resolve())), encoding="utf-8")
        if self.published.exists():
            shutil.copytree(self.published, target.published, symlinks=True)
        return target


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file's SHA-256 and every symlink's target under folder (links not followed)."""
    digest = {}
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            path = Path(root) / name
            relative = str(path.relative_to(folder))
            if path.is_symlink():
                digest[relative] = "-> " + os.readlink(path)
            elif path.is_file():
                with path.open("rb") as handle:
                    digest[relative] = hashlib.file_digest(handle, "sha256").hexdigest()
    return digest


def check_and_publish(
    defs: Definitions, sandbox: Sandbox, checks: Iterable[AssetCheckKey], run_id: str | None = None
) -> ExecuteInProcessResult:
    """Run only these checks and the publish step through Dagster, on the sandbox."""
    # The step publishes the data with its report and docs: every key it materialises.
    job = defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection=set(defs.resolve_assets_def(PUBLISHED_KEY).keys), asset_check_selection=set(checks)
    )
    run_config = {"resources": {"warehouse": {"config": {"warehouse_path": str(sandbox.warehouse)}}}}
    with DagsterInstance.from_config(str(sandbox.home)) as instance:
        return job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False, run_id=run_id)


def published_in(result: ExecuteInProcessResult) -> bool:
    return any(e.asset_key == PUBLISHED_KEY for e in result.get_asset_materialization_events())


def failed_checks(result: ExecuteInProcessResult) -> set[str]:
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}" for e in result.get_asset_check_evaluations() if not e.passed
    }


@dataclass
class ReaderReport:
    iterations: int = 0
    builds: list[str] | None = None
    errors: list[str] | None = None


def _wait_until_seen(published: Path, out: Path, process: subprocess.Popen, seconds: float = 30.0) -> None:
    """Give the reader time to read the version live now: the block may end a moment
    after a swap, before the reader's next loop (it writes the build it last saw)."""
    live = read_manifest(published)
    seen = out.with_suffix(".seen")
    deadline = time.monotonic() + seconds
    while live and process.poll() is None and time.monotonic() < deadline:
        if seen.exists() and seen.read_text(encoding="utf-8") == live["build_id"]:
            return
        time.sleep(0.05)


@contextmanager
def reader_process(published: Path, workdir: Path) -> Iterator[ReaderReport]:
    """A BI reader looping in another process for the duration of the block."""
    stop, out = workdir / "reader.stop", workdir / "reader.json"
    process = subprocess.Popen([sys.executable, str(READER), str(published), str(stop), str(out)])
    report = ReaderReport()
    try:
        yield report
    finally:
        _wait_until_seen(published, out, process)
        stop.touch()
        process.wait(timeout=60)
        seen = json.loads(out.read_text(encoding="utf-8"))
        report.iterations, report.builds, report.errors = seen["iterations"], seen["builds"], seen["errors"]
