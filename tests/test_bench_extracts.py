"""The benchmark's extract cache: extracts from another demo generator are regenerated,
so a benchmark never measures stale data after the generator changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import run
from bench.measure import Measured


@pytest.fixture
def generations(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """Stand in for the generator run: record the command, write one extract file."""
    calls: list[list[str]] = []

    def fake_run(command: list[str], log_path: Path, **_: object) -> Measured:
        calls.append(command)
        out = Path(command[command.index("--out") + 1])
        out.mkdir(parents=True, exist_ok=True)
        (out / "lead.csv").write_text("id\n1\n", encoding="utf-8")
        log_path.parent.mkdir(parents=True, exist_ok=True)
        log_path.write_text("", encoding="utf-8")
        return Measured(command=command, seconds=0.1, peak_rss_bytes=1, returncode=0, log_path=log_path)

    monkeypatch.setattr(run, "run_measured", fake_run)
    return calls


def _marker(cache: Path) -> dict:
    return json.loads((cache / "small" / run.MARKER).read_text(encoding="utf-8"))


def test_extracts_of_the_current_generator_are_reused(generations, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run.ensure_extracts("small", cache, tmp_path / "work", reuse_unmarked=False)
    again = run.ensure_extracts("small", cache, tmp_path / "work", reuse_unmarked=False)
    assert len(generations) == 1 and again["cached"]
    assert _marker(cache)["generator"] == run.generator_fingerprint()


def test_extracts_of_another_generator_are_regenerated(generations, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run.ensure_extracts("small", cache, tmp_path / "work", reuse_unmarked=False)
    marker = _marker(cache)
    (cache / "small" / run.MARKER).write_text(json.dumps({**marker, "generator": "older"}), encoding="utf-8")
    (cache / "small" / "stale.csv").write_text("id\n", encoding="utf-8")

    result = run.ensure_extracts("small", cache, tmp_path / "work", reuse_unmarked=False)

    assert len(generations) == 2 and not result["cached"]
    assert not (cache / "small" / "stale.csv").exists()
    assert _marker(cache)["generator"] == run.generator_fingerprint()
