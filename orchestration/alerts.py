"""What a failed run tells people: which asset or check failed, and the error.

Every failed run is alerted once, whoever notices it first: the daemon's failure sensor
(runs the UI, the schedule or a sensor launched), `fukan run` (its own run, executed in
process, which the sensor does not see) or the next `fukan run` (a run whose process
was killed). An alert is written three ways: a log line, one JSON line in
`<DAGSTER_HOME>/alerts.jsonl` (so it is testable and greppable, and the record that a run
was alerted), and, when FUKAN_ALERT_WEBHOOK_URL is set, a Slack-compatible JSON POST
(`{"text": ...}`; Mattermost and most chat tools accept it).

Alerts leave a company's network and land in chat: they name files, lines, columns,
reasons and counts, never a row's content (`without_row_content`).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import TextIO

from dagster import (
    AssetCheckEvaluation,
    AssetCheckSeverity,
    DagsterEvent,
    DagsterEventType,
    DagsterInstance,
    DagsterRun,
)

from orchestration import contract

logger = logging.getLogger("fukan.alerts")

ALERTS_FILE = "alerts.jsonl"
WEBHOOK_ENV = "FUKAN_ALERT_WEBHOOK_URL"
_MAX_ERROR_LINES = 10
_MAX_LINE_CHARS = 200
_MAX_NAMES_IN_TEXT = 10
# Quoted text in an error: a column or object name of the contract, or a value from a row.
_QUOTED = re.compile(r"""'([^']*)'|"([^"]*)"|«([^»]*)»|「([^」]*)」""")
_QUOTE_MARKS = re.compile(r"""["'«「]""")
_ECHOED_LINE = re.compile(r"Original Line:.*")  # DuckDB's CSV errors repeat the whole line, unquoted
_LEFT_OUT = "[value left out]"


@dataclass(frozen=True)
class FailedStep:
    step: str
    assets: list[str]  # planned in this step and not materialised
    error: str


@dataclass(frozen=True)
class Alert:
    run_id: str
    job_name: str
    failed_steps: list[FailedStep]
    failed_checks: list[str]  # "<asset>:<check>"
    warned_checks: list[str] = field(default_factory=list)  # failed with severity WARN: did not fail the run
    at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def failed_assets(self) -> list[str]:
        return [asset for step in self.failed_steps for asset in step.assets]

    def text(self) -> str:
        lines = [f"fukan: run {self.run_id} of {self.job_name} failed."]
        if self.failed_assets:
            lines.append("Failed assets: " + _names(self.failed_assets))
        if self.failed_checks:
            lines.append("Failed checks: " + _names(self.failed_checks))
        if self.warned_checks:
            lines.append("Warned checks (not what failed the run): " + _names(self.warned_checks))
        lines += [f"Error in {step.step}: {step.error}" for step in self.failed_steps]
        return "\n".join(lines)

    def as_record(self) -> dict[str, object]:
        return {**asdict(self), "failed_assets": self.failed_assets, "text": self.text()}


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_MAX_NAMES_IN_TEXT])
    more = len(names) - _MAX_NAMES_IN_TEXT
    return shown + (f" and {more} more" if more > 0 else "")


@cache
def _contract_names() -> frozenset[str]:
    return frozenset(name.lower() for obj in contract.OBJECTS.values() for name in (obj.name, *obj.column_names))


def _quoted(match: re.Match[str]) -> str:
    inner = next(group for group in match.groups() if group is not None)
    return f"`{inner}`" if inner.lower() in _contract_names() else _LEFT_OUT


def without_row_content(message: str) -> str:
    """`message` with every value from a row left out: a quoted text unless it is a column
    or object name of the contract (then quoted `so`), an unmatched quote and what follows
    it, the CSV line DuckDB echoes. At most 10 lines of 200 characters: what failed, where (file, line,
    column) and why."""
    message = _QUOTED.sub(_quoted, _ECHOED_LINE.sub(f"Original Line: {_LEFT_OUT}", message))
    lines = []
    for line in message.strip().splitlines():
        unmatched = _QUOTE_MARKS.search(line)  # a value cut short where the message was
        if unmatched:
            line = f"{line[: unmatched.start()].rstrip()} {_LEFT_OUT}"
        line = line.rstrip()
        if len(line) > _MAX_LINE_CHARS:
            line = line[:_MAX_LINE_CHARS].rstrip() + " ..."
        if line:
            lines.append(line)
    if len(lines) > _MAX_ERROR_LINES:
        lines = [*lines[:_MAX_ERROR_LINES], f"... and {len(lines) - _MAX_ERROR_LINES} more lines"]
    return "\n".join(lines)


def error_text(event: DagsterEvent) -> str:
    """The person-facing message: a `Failure`'s description, else the innermost exception,
    without row content."""
    data = event.step_failure_data
    if data.user_failure_data and data.user_failure_data.description:
        return without_row_content(data.user_failure_data.description)
    error = data.error
    while error is not None and error.cause is not None:
        error = error.cause
    return without_row_content(error.message) if error else "unknown error"


def failed_and_warned(evaluations: Iterable[AssetCheckEvaluation]) -> tuple[list[str], list[str]]:
    """The checks that did not pass, as "<asset>:<check>": those of severity error (they
    fail a run), then those of severity warn (they never do)."""
    failed: list[str] = []
    warned: list[str] = []
    for evaluation in evaluations:
        if not evaluation.passed:
            (warned if evaluation.severity == AssetCheckSeverity.WARN else failed).append(
                f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            )
    return failed, warned


def describe_run_failure(instance: DagsterInstance, run: DagsterRun) -> Alert:
    """Name what failed, from the run's event log: failed steps, their unmaterialised
    assets, failed checks; the run's own failure message when no step failed (a run
    whose process died)."""
    planned: dict[str, list[str]] = {}
    materialised: set[str] = set()
    evaluations: list[AssetCheckEvaluation] = []
    step_failures: list[DagsterEvent] = []
    run_failures: list[str] = []
    for entry in instance.all_logs(run.run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.STEP_FAILURE:
            step_failures.append(event)
        elif event.event_type == DagsterEventType.RUN_FAILURE:
            run_failures.append(without_row_content(event.message or ""))
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION_PLANNED and event.asset_key:
            planned.setdefault(event.step_key or "", []).append(event.asset_key.to_user_string())
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION and event.asset_key:
            materialised.add(event.asset_key.to_user_string())
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluations.append(event.asset_check_evaluation_data)
    failed_checks, warned_checks = failed_and_warned(evaluations)
    steps = [
        FailedStep(
            step=event.step_key or "run",
            assets=[a for a in planned.get(event.step_key or "", []) if a not in materialised],
            error=error_text(event),
        )
        for event in step_failures
    ] or [FailedStep(step="run", assets=[], error=message) for message in run_failures[-1:]]
    return Alert(
        run_id=run.run_id,
        job_name=run.job_name,
        failed_steps=steps,
        failed_checks=failed_checks,
        warned_checks=warned_checks,
    )


def alert_run_failure(instance: DagsterInstance, run: DagsterRun, webhook_url: str | None = None) -> Alert | None:
    """Alert that `run` failed, unless it was alerted already; return the alert, or None."""
    alert = describe_run_failure(instance, run)
    return alert if record_alert(alert, Path(instance.root_directory), webhook_url) else None


def _alerted_runs(file: TextIO) -> set[str]:
    file.seek(0)
    return {json.loads(line)["run_id"] for line in file if line.strip()}


def record_alert(alert: Alert, dagster_home: Path, webhook_url: str | None = None) -> bool:
    """Log, append to `<dagster_home>/alerts.jsonl`, and POST to the webhook if one is set;
    False (and nothing done) when that file already holds an alert for the run.

    The file is locked from the look-up to the append, so two processes noticing the
    same failure (the daemon's sensor and `fukan run`) alert it once. A webhook that is
    down is logged, never raised: the alert is already on disk, and a failing sensor
    would hide the next alert too.
    """
    path = dagster_home / ALERTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+", encoding="utf-8") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        if alert.run_id in _alerted_runs(file):
            return False
        file.write(json.dumps(alert.as_record(), ensure_ascii=False) + "\n")
    logger.error(alert.text())
    url = webhook_url if webhook_url is not None else os.environ.get(WEBHOOK_ENV)
    if url:
        _post(url, {"text": alert.text()})
    return True


def _post(url: str, payload: dict[str, str]) -> None:
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            logger.info("Alert posted to the webhook (HTTP %s)", response.status)
    except OSError as error:
        logger.warning("Could not post the alert to the webhook: %s", error)
