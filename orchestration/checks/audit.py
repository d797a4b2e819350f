"""The audit of write-audit-publish: did every blocking check pass on the data as it is now?

Dagster's blocking checks stop the publish step within a run. They cannot stop a run
that selects the publish step alone (a click on "Materialize" after a failed refresh),
nor one whose checks were never run on the latest data. So before it copies anything,
the publish step reads the instance's latest evaluation of every blocking check it is
given (every dbt test and GX suite upstream of it) and refuses unless each one passed
(or failed with WARN severity) against its asset's latest materialization.

The list is fixed when the code location loads: a run that selects a few steps sees a
job whose asset graph holds only those steps, so it cannot tell what lies upstream.

A run plans its checks when it starts, before it waits for the warehouse: a check
planned by another run (one waiting for this one to end, or one that died) says nothing
about the data, and the audit reads the latest evaluation before it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from dagster import AssetCheckKey, AssetCheckSeverity, DagsterInstance
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)

_SHOWN = 10


@dataclass
class Audit:
    passed: list[str] = field(default_factory=list)
    warned: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    not_evaluated: list[str] = field(default_factory=list)  # never run, or still planned
    stale: list[str] = field(default_factory=list)  # ran on an older materialization

    @property
    def ok(self) -> bool:
        return not (self.failed or self.not_evaluated or self.stale)

    def summary(self) -> dict[str, Any]:
        """For the manifest: counts, and the names of every check that did not simply pass."""
        return {
            "blocking_checks": len(self.passed)
            + len(self.warned)
            + len(self.failed)
            + len(self.not_evaluated)
            + len(self.stale),
            "passed": len(self.passed),
            "warned": sorted(self.warned),
            "failed": sorted(self.failed),
            "not_evaluated": sorted(self.not_evaluated),
            "stale": sorted(self.stale),
        }

    def explain(self) -> str:
        parts = []
        for label, names in (
            ("failed", self.failed),
            ("never evaluated", self.not_evaluated),
            ("not evaluated on the latest data", self.stale),
        ):
            if names:
                shown = ", ".join(sorted(names)[:_SHOWN]) + (
                    f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
                )
                parts.append(f"{len(names)} blocking checks {label}: {shown}")
        return "Not published: " + "; ".join(parts) + ". The published copy is unchanged."


def _name(key: AssetCheckKey) -> str:
    return f"{key.asset_key.to_user_string()}:{key.name}"


# How far back to look past checks planned by other runs (each waiting or dead run adds one).
_HISTORY = 20


def _latest_records(
    instance: DagsterInstance, check_keys: Sequence[AssetCheckKey], run_id: str
) -> dict[AssetCheckKey, AssetCheckExecutionRecord]:
    """Each check's latest execution record, leaving out records that other runs planned
    and never evaluated."""
    storage = instance.event_log_storage
    records = dict(storage.get_latest_asset_check_execution_by_key(check_keys))
    for key, record in list(records.items()):
        if record.status == AssetCheckExecutionRecordStatus.PLANNED and record.run_id != run_id:
            history = storage.get_asset_check_execution_history(key, limit=_HISTORY)
            found = [r for r in history if r.status != AssetCheckExecutionRecordStatus.PLANNED or r.run_id == run_id]
            if found:
                records[key] = found[0]
            else:
                del records[key]
    return records


def audit_checks(instance: DagsterInstance, check_keys: Sequence[AssetCheckKey], run_id: str) -> Audit:
    """Judge the latest evaluation of each check against its asset's latest
    materialization, for the publish step of run `run_id`."""
    records = _latest_records(instance, check_keys, run_id)
    latest = {
        record.asset_entry.asset_key: record.asset_entry.last_materialization_record.storage_id
        for record in instance.get_asset_records(sorted({k.asset_key for k in check_keys}, key=str))
        if record.asset_entry.last_materialization_record is not None
    }
    audit = Audit()
    for key in check_keys:
        record = records.get(key)
        evaluation = record.evaluation if record is not None else None
        if record is None or record.status == AssetCheckExecutionRecordStatus.PLANNED or evaluation is None:
            audit.not_evaluated.append(_name(key))
            continue
        target = evaluation.target_materialization_data
        if target is None or target.storage_id != latest.get(key.asset_key):
            audit.stale.append(_name(key))
        elif record.status == AssetCheckExecutionRecordStatus.SUCCEEDED:
            audit.passed.append(_name(key))
        elif evaluation.severity == AssetCheckSeverity.WARN:
            audit.warned.append(_name(key))
        else:
            audit.failed.append(_name(key))
    return audit
