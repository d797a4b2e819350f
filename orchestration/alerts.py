"""What a failed run tells people: which asset or check failed, and the error.

An alert is written three ways: a log line, one JSON line in `<DAGSTER_HOME>/alerts.jsonl`
(so it is testable and greppable), and, when FUKAN_ALERT_WEBHOOK_URL is set, a
Slack-compatible JSON POST (`{"text": ...}`; Mattermost and most chat tools accept it).
"""
from __future__ import annotations

import json
import logging
import os
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dagster import DagsterEvent, DagsterEventType, DagsterInstance, DagsterRun

logger = logging.getLogger("fukan.alerts")

ALERTS_FILE = "alerts.jsonl"
WEBHOOK_ENV = "FUKAN_ALERT_WEBHOOK_URL"
_MAX_ERROR_CHARS = 2000
_MAX_NAMES_IN_TEXT = 10


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
        lines += [f"Error in {step.step}: {step.error}" for step in self.failed_steps]
        return "\n".join(lines)

    def as_record(self) -> dict[str, object]:
        return {**asdict(self), "failed_assets": self.failed_assets, "text": self.text()}


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_MAX_NAMES_IN_TEXT])
    more = len(names) - _MAX_NAMES_IN_TEXT
    return shown + (f" and {more} more" if more > 0 else "")


def error_text(event: DagsterEvent) -> str:
    """The person-facing message: a `Failure`'s description, else the innermost exception."""
    data = event.step_failure_data
    if data.user_failure_data and data.user_failure_data.description:
        return data.user_failure_data.description[:_MAX_ERROR_CHARS]
    error = data.error
    while error is not None and error.cause is not None:
        error = error.cause
    return (error.message.strip() if error else "unknown error")[:_MAX_ERROR_CHARS]


def describe_run_failure(
    instance: DagsterInstance, run: DagsterRun, step_failures: Sequence[DagsterEvent]
) -> Alert:
    """Name what failed, from the run's event log: failed steps, their unmaterialised assets, failed checks."""
    planned: dict[str, list[str]] = {}
    materialised: set[str] = set()
    failed_checks: list[str] = []
    for entry in instance.all_logs(run.run_id):
        event = entry.dagster_event
        if event is None:
            continue
        if event.event_type == DagsterEventType.ASSET_MATERIALIZATION_PLANNED and event.asset_key:
            planned.setdefault(event.step_key or "", []).append(event.asset_key.to_user_string())
        elif event.event_type == DagsterEventType.ASSET_MATERIALIZATION and event.asset_key:
            materialised.add(event.asset_key.to_user_string())
        elif event.event_type == DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            if not evaluation.passed:
                failed_checks.append(f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}")
    steps = [
        FailedStep(
            step=event.step_key or "run",
            assets=[a for a in planned.get(event.step_key or "", []) if a not in materialised],
            error=error_text(event),
        )
        for event in step_failures
    ]
    return Alert(run_id=run.run_id, job_name=run.job_name, failed_steps=steps, failed_checks=failed_checks)


def record_alert(alert: Alert, dagster_home: Path, webhook_url: str | None = None) -> Path:
    """Log, append to `<dagster_home>/alerts.jsonl`, and POST to the webhook if one is set.

    A webhook that is down is logged, never raised: the alert is already on disk, and a
    failing sensor would hide the next alert too.
    """
    logger.error(alert.text())
    path = dagster_home / ALERTS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(alert.as_record(), ensure_ascii=False) + "\n")
    url = webhook_url if webhook_url is not None else os.environ.get(WEBHOOK_ENV)
    if url:
        _post(url, {"text": alert.text()})
    return path


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
