"""The day after the snapshot: what the incremental extract must carry for leads.

Besides the day's natural activity (new leads, calls, conversions), sales ops closes a
batch of long-idle leads on that morning, marketing deletes (merges) a few duplicates,
and the extract tool re-sends a few leads in an older version (a stale row with an
older `system_modstamp`, which the loader must not let win). Only idle leads are picked
for these, so each delta row has exactly one reason to be there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo_data.frame import Frame, concat
from orchestration.demo_data.funnel import Funnel
from orchestration.demo_data.history import OPEN, WORKING, LeadEvents, last_change, lead_frame, status_at
from orchestration.demo_data.jp_calendar import DAY, NULL, instant
from orchestration.demo_data.leads import Leads

IDLE_DAYS = 90


@dataclass(frozen=True)
class LeadDeltas:
    """Lead indices by the reason they are in the delta file."""

    new: np.ndarray
    changed: np.ndarray
    deleted: np.ndarray
    stale: np.ndarray
    stale_as_of: np.ndarray


def _touched(funnel: Funnel, events: LeadEvents, low: int, high: int) -> np.ndarray:
    """Leads with any simulated change or activity in (low, high]."""
    hit = np.zeros(funnel.t_contact.size, dtype=bool)
    for t in (
        funnel.t_contact,
        funnel.t_need_status,
        funnel.t_convert,
        funnel.t_disqualify,
        funnel.t_booking,
        funnel.t_cancelled_booking,
        events.t_edit,
        events.t_owner_change,
        events.t_system,
    ):
        hit |= (t > low) & (t <= high)
    calls = funnel.calls
    hit[calls.lead[(calls.start > low) & (calls.start <= high)]] = True
    return hit


def _pick(rng: np.random.Generator, pool: np.ndarray, share: float, minimum: int, n: int) -> np.ndarray:
    count = min(pool.size, max(minimum, round(share * n)))
    return np.sort(rng.choice(pool, size=count, replace=False))


def plan_lead_deltas(
    rng: np.random.Generator, leads: Leads, funnel: Funnel, events: LeadEvents, cutoff: int, delta_day: int
) -> LeadDeltas:
    """Choose the bulk closes, deletions and stale rows; writes their instants into funnel/events."""
    last = cutoff + DAY
    existing = np.flatnonzero(leads.created <= cutoff)
    n = existing.size
    idle = existing[~_touched(funnel, events, cutoff, last)[existing] & (leads.created[existing] < cutoff - 2 * DAY)]
    status = status_at(funnel, idle, np.full(idle.size, cutoff))
    last_touch = np.maximum(funnel.t_last_call[idle], leads.created[idle])

    cleanup = _pick(rng, idle[np.isin(status, [OPEN, WORKING]) & (last_touch < cutoff - IDLE_DAYS * DAY)], 0.015, 3, n)
    funnel.t_disqualify[cleanup] = instant(np.full(cleanup.size, delta_day), 10 * 3600 + np.arange(cleanup.size) // 5)
    rest = idle[~np.isin(idle, cleanup)]
    deleted = _pick(rng, rest[status_at(funnel, rest, np.full(rest.size, cutoff)) == OPEN], 0.001, 2, n)
    events.t_deleted[deleted] = instant(
        np.full(deleted.size, delta_day), 16 * 3600 + rng.integers(0, 3600, deleted.size)
    )
    rest = rest[~np.isin(rest, deleted)]
    merged = deleted[rng.random(deleted.size) < 0.5]
    events.master[merged] = rng.choice(rest, merged.size)

    modified, system = last_change(leads, funnel, events, rest, np.full(rest.size, cutoff))
    status_change = np.max(
        [
            np.where((t[rest] != NULL) & (t[rest] <= cutoff), t[rest], NULL)
            for t in (funnel.t_contact, funnel.t_need_status, funnel.t_convert, funnel.t_disqualify)
        ],
        axis=0,
    )
    by_status = (status_change == modified) & (system == modified) & (modified > leads.created[rest])
    stale = _pick(rng, rest[by_status], 0.0002, 1, n)
    stale_as_of = modified[np.searchsorted(rest, stale)] - 1

    _, system_then = last_change(leads, funnel, events, existing, np.full(n, last))
    changed = existing[(system_then > cutoff) & (events.t_deleted[existing] == NULL)]
    new = np.flatnonzero((leads.created > cutoff) & (leads.created <= last))
    return LeadDeltas(new=new, changed=changed, deleted=deleted, stale=stale, stale_as_of=stale_as_of)


def lead_delta_frame(
    leads: Leads, funnel: Funnel, events: LeadEvents, links: dict[str, np.ndarray], plan: LeadDeltas, last: int
) -> Frame:
    current = np.sort(np.concatenate([plan.new, plan.changed, plan.deleted]))
    return concat(
        [
            lead_frame(leads, funnel, events, links, current, np.full(current.size, last)),
            lead_frame(leads, funnel, events, links, plan.stale, plan.stale_as_of),
        ]
    )
