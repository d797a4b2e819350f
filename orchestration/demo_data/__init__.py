"""Deterministic demo CRM extracts of a fictional Japanese B2B SaaS vendor (docs/landing-contract.md).

`generate` simulates the company from `start` to the end of the day after `end`, then
writes the state at the end of `end` (JST) as full snapshots and, when asked, the next
day's changes as delta files: `<out>/<object>/<object>_<yyyymmdd>_full.csv` and
`..._delta.csv`. The same seed and arguments give byte-identical files.

The data is made to exercise the warehouse: a volume push that lowers lead quality
(VOLUME_PUSH) next to a quiet period (QUIET_PERIOD), quality leads converting better
under DEFAULT_QUALITY_RULES, messy departments and dispositions, a rep who leaves and
one who moves department and two who move team, each move in a later user file
(DEPARTED_USERS, DEPARTMENT_MOVES, TEAM_MOVES, UNMAPPED_USER_DEPARTMENTS), a CP932
campaign export with Salesforce headers, stale and deleted rows in the delta, and
every inside-sales role with calls, meetings and deals (roles.py): disqualified leads
and lost deals' contacts taken up again, some converted; customers' contacts called and
leads from customers' companies turning into Existing Business deals; a target-account
list cold-called next to leads with lead source Outbound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from tqdm import tqdm

from orchestration.demo_data import writer
from orchestration.demo_data.activities import build_events, build_tasks
from orchestration.demo_data.campaigns import QUIET_PERIOD, VOLUME_PUSH, campaign_frame, plan_campaigns
from orchestration.demo_data.company import (
    DEPARTED_USERS,
    DEPARTMENT_MOVES,
    LEAVE_DATE,
    LEAVER,
    MOVE_DATE,
    MOVER,
    TEAM_MOVES,
    UNMAPPED_USER_DEPARTMENTS,
    build_roster,
    role_frame,
    user_frame,
)
from orchestration.demo_data.deltas import LeadDeltas, lead_delta_frame, plan_lead_deltas
from orchestration.demo_data.frame import Codes, Frame, row_count
from orchestration.demo_data.funnel import simulate
from orchestration.demo_data.history import draw_events, history_frame, history_rows, lead_frame
from orchestration.demo_data.jp_calendar import DAY, NULL, BusinessClock, day_number, instant, to_date
from orchestration.demo_data.leads import LEAD, draw_leads
from orchestration.demo_data.members import build_members, member_frame
from orchestration.demo_data.opportunities import (
    account_frame,
    build_accounts,
    build_deals,
    changed_deals,
    contact_frame,
    customer_since,
    opportunity_frame,
)
from orchestration.demo_data.opportunities import history_frame as opportunity_history_frame
from orchestration.demo_data.quality import DEFAULT_QUALITY_RULES, QUALITY_THRESHOLD, QualityRule
from orchestration.demo_data.roles import (
    add_target_accounts,
    book_role_meetings,
    build_role_calls,
    convert_recycled,
    mark_existing_business,
    with_outbound_sources,
    with_role_calls,
    with_role_meetings,
)

__all__ = [
    "DEFAULT_QUALITY_RULES",
    "DEPARTED_USERS",
    "DEPARTMENT_MOVES",
    "QUALITY_THRESHOLD",
    "QUIET_PERIOD",
    "TEAM_MOVES",
    "UNMAPPED_USER_DEPARTMENTS",
    "VOLUME_PUSH",
    "GenerationSummary",
    "QualityRule",
    "generate",
]

FORMATS = ("csv", "parquet")
_STAGES = (
    "organisation and campaigns",
    "leads",
    "inside-sales funnel",
    "accounts and opportunities",
    "activities",
    "snapshot files",
    "delta files",
)


@dataclass
class GenerationSummary:
    out_dir: Path
    rows: dict[str, int]
    files: list[Path]
    seconds: float
    delta_ids: dict[str, list[str]] = field(default_factory=dict)

    def __str__(self) -> str:
        width = max(len(name) for name in self.rows)
        lines = [f"Wrote {len(self.files)} files to {self.out_dir} in {self.seconds:.1f} s"]
        lines += [f"  {name:<{width}}  {count:>12,}" for name, count in self.rows.items()]
        if self.delta_ids:
            lines.append(
                "  delta leads: "
                + ", ".join(f"{len(v):,} {k.removesuffix('_leads')}" for k, v in self.delta_ids.items())
            )
        return "\n".join(lines)


def _rng(seed: int, stage: int) -> np.random.Generator:
    """One independent stream per stage, so changing one stage does not reshuffle the others."""
    return np.random.default_rng([seed, stage])


def _stops(size: int) -> np.ndarray:
    """Per user: the instant they stop working leads (left the company, moved to field sales)."""
    stop = np.full(size, NULL, dtype=np.int64)
    stop[LEAVER - 1] = instant(day_number(LEAVE_DATE) + 1, 0)
    stop[MOVER - 1] = instant(day_number(MOVE_DATE), 0)
    return stop


def _check(leads: int, start: date, end: date, file_format: str) -> None:
    if leads < 100:
        raise ValueError(f"leads must be at least 100 (got {leads})")
    if end <= start + timedelta(days=60):
        raise ValueError(f"end ({end}) must be more than 60 days after start ({start})")
    if file_format not in FORMATS:
        raise ValueError(f"file_format must be one of {FORMATS} (got {file_format!r})")


def generate(
    out_dir: Path,
    leads: int = 20000,
    seed: int = 7,
    start: date = date(2024, 4, 1),
    end: date = date(2026, 9, 30),
    file_format: str = "csv",
    deltas: bool = True,
    progress: bool = True,
) -> GenerationSummary:
    """Write the demo landing files under `out_dir` and say what was written."""
    _check(leads, start, end, file_format)
    began = time.perf_counter()
    out_dir = Path(out_dir)
    first_day, end_day = day_number(start), day_number(end)
    delta_day = end_day + 1
    cutoff = instant(delta_day, 0) - 1  # 23:59:59 JST on `end`
    last = cutoff + DAY
    clock = BusinessClock(first_day - 60, delta_day + 1000)
    files: list[Path] = []
    rows: dict[str, int] = {}

    def emit(obj: str, frame: Frame, day: int, kind: str) -> None:
        name = f"{obj}_{to_date(day):%Y%m%d}_{kind}.{file_format}"
        style = writer.FIVETRAN
        if file_format == "csv" and obj == "user":
            style = writer.SALESFORCE_EXPORT
        elif file_format == "csv" and obj == "campaign":
            style = writer.SALESFORCE_EXPORT_CP932
        files.append(writer.write(out_dir / obj / name, obj, frame, style))
        rows[obj] = rows.get(obj, 0) + row_count(frame)

    with tqdm(total=len(_STAGES), disable=not progress, desc="demo data", unit="stage") as bar:

        def step(k: int) -> None:
            bar.set_postfix_str(_STAGES[k])
            if k:
                bar.update(1)

        step(0)
        roster = build_roster(_rng(seed, 1), leads, first_day, end_day, clock)
        plan = plan_campaigns(_rng(seed, 2), first_day, delta_day, clock)
        step(1)
        lead_set = with_outbound_sources(_rng(seed, 15), draw_leads(_rng(seed, 3), plan, roster, leads, end_day))
        step(2)
        funnel = simulate(_rng(seed, 4), lead_set, roster, clock, first_day, end_day)
        stop, successor = _stops(roster.size), roster.successor(np.arange(roster.size))
        events = draw_events(_rng(seed, 5), lead_set, funnel, stop, successor)
        step(3)
        accounts = build_accounts(_rng(seed, 6), lead_set, funnel, events, roster, first_day)
        deals = build_deals(_rng(seed, 7), lead_set, funnel, accounts, roster, clock, first_day, delta_day)
        accounts.t_customer = customer_since(accounts, deals)
        mark_existing_business(deals, lead_set, accounts)
        targets = add_target_accounts(_rng(seed, 16), accounts, roster, first_day, end_day, leads)
        role_calls = build_role_calls(_rng(seed, 13), funnel, deals, accounts, roster, clock, first_day, last, targets)
        role_meetings = book_role_meetings(_rng(seed, 17), role_calls, clock, last)
        convert_recycled(
            _rng(seed, 18),
            lead_set,
            funnel,
            events,
            accounts,
            deals,
            roster,
            clock,
            first_day,
            delta_day,
            role_calls,
            role_meetings,
        )
        links = _links(lead_set.size, accounts.lead, deals.lead)
        lead_deltas = plan_lead_deltas(_rng(seed, 8), lead_set, funnel, events, cutoff, delta_day) if deltas else None
        step(4)
        tasks = build_tasks(
            _rng(seed, 9),
            lead_set,
            funnel,
            stop,
            successor,
            events.new_owner,
            events.t_owner_change,
            clock,
            cutoff,
            end_day,
        )
        tasks = with_role_calls(_rng(seed, 14), tasks, role_calls)
        meetings = build_events(
            _rng(seed, 10), lead_set, funnel, deals, accounts, roster, stop, successor, clock, first_day, last
        )
        meetings = with_role_meetings(meetings, role_calls, role_meetings)
        members = build_members(_rng(seed, 11), lead_set, plan, last)
        lh = history_rows(lead_set, funnel, events, last)
        lh_snapshot = lh[2] <= cutoff
        n_lh = int(lh_snapshot.sum())
        step(5)

        existing = np.flatnonzero(lead_set.created <= cutoff)
        opportunities = np.flatnonzero(deals.created <= cutoff)
        emit("user_role", role_frame(int(roster.created.min())), end_day, "full")
        # The user file of the day before the simulated period, as a warehouse that has
        # landed users since then holds it: moves arrive in the later file.
        emit("user", user_frame(roster, instant(first_day, 0) - 1), first_day - 1, "full")
        emit("user", user_frame(roster, cutoff), end_day, "full")
        emit("campaign", campaign_frame(plan, _rng(seed, 12), cutoff, end_day), end_day, "full")
        emit(
            "lead",
            lead_frame(lead_set, funnel, events, links, existing, np.full(existing.size, cutoff)),
            end_day,
            "full",
        )
        emit("campaign_member", member_frame(members, funnel, links["contact"], NULL, cutoff), end_day, "full")
        emit("task", tasks.written(NULL, cutoff), end_day, "full")
        emit("event", meetings.written(NULL, cutoff), end_day, "full")
        emit("account", account_frame(accounts, NULL, cutoff), end_day, "full")
        emit("contact", contact_frame(accounts, NULL, cutoff), end_day, "full")
        emit("opportunity", opportunity_frame(deals, opportunities, cutoff), end_day, "full")
        emit("opportunity_history", opportunity_history_frame(deals, NULL, cutoff), end_day, "full")
        emit(
            "lead_history",
            history_frame(*(part.at(lh_snapshot) if isinstance(part, Codes) else part[lh_snapshot] for part in lh), 1),
            end_day,
            "full",
        )
        step(6)

        delta_ids: dict[str, list[str]] = {}
        if lead_deltas is not None:
            window = {
                "lead": lead_delta_frame(lead_set, funnel, events, links, lead_deltas, last),
                "campaign_member": member_frame(members, funnel, links["contact"], cutoff, last),
                "task": tasks.written(cutoff, last),
                "event": meetings.written(cutoff, last),
                "account": account_frame(accounts, cutoff, last),
                "contact": contact_frame(accounts, cutoff, last),
                "opportunity": opportunity_frame(deals, changed_deals(deals, cutoff, last), last),
                "opportunity_history": opportunity_history_frame(deals, cutoff, last),
                "lead_history": history_frame(
                    *(part.at(~lh_snapshot) if isinstance(part, Codes) else part[~lh_snapshot] for part in lh), n_lh + 1
                ),
            }
            for obj, frame in window.items():
                if row_count(frame):
                    emit(obj, frame, delta_day, "delta")
            delta_ids = _delta_ids(lead_deltas)
        bar.update(1)
    return GenerationSummary(out_dir, rows, files, time.perf_counter() - began, delta_ids)


def _links(n_leads: int, account_lead: np.ndarray, deal_lead: np.ndarray) -> dict[str, np.ndarray]:
    """Lead -> converted account, contact (one per account, same number) and opportunity."""
    account = np.full(n_leads, NULL, dtype=np.int64)
    has = account_lead != NULL
    account[account_lead[has]] = np.flatnonzero(has)
    opportunity = np.full(n_leads, NULL, dtype=np.int64)
    has = deal_lead != NULL
    opportunity[deal_lead[has]] = np.flatnonzero(has)
    return {"account": account, "contact": account, "opportunity": opportunity}


def _delta_ids(plan: LeadDeltas) -> dict[str, list[str]]:
    def ids(rows: np.ndarray) -> list[str]:
        return writer.ids_text(LEAD, rows + 1).to_pylist()

    return {
        "changed_leads": ids(plan.changed),
        "deleted_leads": ids(plan.deleted),
        "stale_leads": ids(plan.stale),
        "new_leads": ids(plan.new),
    }
