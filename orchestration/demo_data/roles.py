"""Inside-sales calls beyond the new-lead funnel, so every inside-sales role occurs
(seeds/inside_sales_role_rules.csv): disqualified leads called again and lost deals'
contacts re-engaged more than RECYCLE_AFTER_DAYS later (recycle), calls to customer
accounts' contacts (upsell), and cold calls to a target-account list logged on no lead,
contact or account (outbound). Their draws come from a generator of their own, and they
are appended to the task log with ids after the funnel's tasks, so those keep theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo_data.activities import TASK, TASK_SUBJECTS, Activities
from orchestration.demo_data.company import Roster, pick_working
from orchestration.demo_data.frame import Codes, Frame, Ids
from orchestration.demo_data.funnel import CONNECTED, NOT_CONNECTED, Funnel
from orchestration.demo_data.jp_calendar import NULL, BusinessClock, instant, local_day, office_seconds
from orchestration.demo_data.leads import LEAD
from orchestration.demo_data.opportunities import ACCOUNT, CONTACT, Accounts, Deals

RECYCLE_AFTER_DAYS = 90  # the warehouse's default var recycle_after_days
ROLE_SUBJECTS = ("再アプローチ架電", "既存顧客フォローコール", "新規開拓架電（ターゲットリスト）")
RECYCLE_SUBJECT, UPSELL_SUBJECT, OUTBOUND_SUBJECT = range(3)
LEAD_KIND, CONTACT_KIND = 0, 1


@dataclass
class RoleCalls:
    who_kind: np.ndarray  # LEAD_KIND or CONTACT_KIND (ignored where `who` is NULL)
    who: np.ndarray  # lead or contact counter from 1, NULL for none
    account: np.ndarray  # account counter from 1, NULL for none
    owner: np.ndarray  # user index
    start: np.ndarray
    end: np.ndarray
    connected: np.ndarray
    subject: np.ndarray  # index into ROLE_SUBJECTS


def _on_business_day(rng: np.random.Generator, clock: BusinessClock, day: np.ndarray) -> np.ndarray:
    return instant(clock.day_at(clock.index_on_or_after(day)), office_seconds(rng, day.size))


def _reps_at(rng: np.random.Generator, roster: Roster, day: np.ndarray) -> np.ndarray:
    return pick_working(rng, roster.inside_reps(), roster.is_days, day)


def build_role_calls(
    rng: np.random.Generator,
    funnel: Funnel,
    deals: Deals,
    accounts: Accounts,
    roster: Roster,
    clock: BusinessClock,
    first_day: int,
    last: int,
) -> RoleCalls:
    """Recycle, upsell and outbound calls by inside-sales reps working that day, up to `last`."""
    # Recycle: a third of the disqualified leads, 100-300 days after the disqualification.
    dq = np.flatnonzero((funnel.t_disqualify != NULL) & (rng.random(funnel.t_disqualify.size) < 0.35))
    dq_day = local_day(funnel.t_disqualify[dq]) + rng.integers(RECYCLE_AFTER_DAYS + 10, 300, dq.size)
    # Recycle: half of the lost deals from a lead, their contact 100-300 days after the loss.
    lost = np.flatnonzero(
        (deals.lead != NULL) & ~deals.won & (deals.close != NULL) & (rng.random(deals.won.size) < 0.5)
    )
    lost_day = local_day(deals.close[lost]) + rng.integers(RECYCLE_AFTER_DAYS + 10, 300, lost.size)
    # Upsell: two calls each to the contact of four in ten customer accounts, after they became one.
    customer = np.flatnonzero((accounts.t_customer != NULL) & (rng.random(accounts.t_customer.size) < 0.4))
    customer = np.repeat(customer, 2)
    since = np.maximum(local_day(accounts.t_customer[customer]), first_day)
    upsell_day = since + rng.integers(30, 400, customer.size)
    # Outbound: cold calls to target accounts, one per six leads' worth, over the whole period.
    n_out = funnel.t_disqualify.size // 6
    out_day = rng.integers(first_day, local_day(last) + 1, n_out)

    day = np.concatenate([dq_day, lost_day, upsell_day, out_day])
    start = _on_business_day(rng, clock, day)
    contact_of_lost = deals.account[lost] + 1
    who = np.concatenate([dq + 1, contact_of_lost, customer + 1, np.full(n_out, NULL)])
    kind = np.concatenate(
        [np.full(dq.size, LEAD_KIND), np.full(lost.size + customer.size + n_out, CONTACT_KIND)]
    ).astype(np.int8)
    account = np.concatenate([np.full(dq.size, NULL), contact_of_lost, customer + 1, np.full(n_out, NULL)])
    subject = np.concatenate(
        [
            np.full(dq.size + lost.size, RECYCLE_SUBJECT),
            np.full(customer.size, UPSELL_SUBJECT),
            np.full(n_out, OUTBOUND_SUBJECT),
        ]
    ).astype(np.int8)
    connected = rng.random(day.size) < np.where(subject == OUTBOUND_SUBJECT, 0.25, 0.45)
    end = start + np.where(connected, rng.integers(120, 900, day.size), rng.integers(10, 60, day.size))
    owner = _reps_at(rng, roster, local_day(start))
    keep = end <= last
    return RoleCalls(
        kind[keep], who[keep], account[keep], owner[keep], start[keep], end[keep], connected[keep], subject[keep]
    )


def with_role_calls(rng: np.random.Generator, tasks: Activities, calls: RoleCalls) -> Activities:
    """The task log with the role calls merged in by modstamp; existing tasks keep their ids."""
    old, n_old, m = tasks.frame, tasks.modstamp.size, calls.start.size
    disposition = np.where(
        calls.connected,
        rng.integers(0, len(CONNECTED), m),
        len(CONNECTED) + rng.integers(0, len(NOT_CONNECTED), m),
    )
    old_who = old["who_id"]
    merged: Frame = {
        "id": Ids(TASK, np.concatenate([old["id"].values, n_old + np.arange(1, m + 1)])),
        "created_date": np.concatenate([old["created_date"], calls.start]),
        "system_modstamp": np.concatenate([old["system_modstamp"], calls.end]),
        "last_modified_date": np.concatenate([old["last_modified_date"], calls.end]),
        "is_deleted": np.concatenate([old["is_deleted"], np.zeros(m, dtype=bool)]),
        "who_id": Ids(
            (LEAD, CONTACT),
            np.concatenate([old_who.values, calls.who]),
            np.concatenate([np.full(n_old, LEAD_KIND, dtype=np.int8), calls.who_kind]),
        ),
        "account_id": Ids(ACCOUNT, np.concatenate([np.full(n_old, NULL), calls.account])),
        "owner_id": Ids(old["owner_id"].prefix, np.concatenate([old["owner_id"].values, calls.owner + 1])),
        "type": _append(old["type"], np.zeros(m)),
        "task_subtype": _append(old["task_subtype"], np.zeros(m)),
        "subject": Codes(
            (*TASK_SUBJECTS, *ROLE_SUBJECTS),
            np.concatenate([old["subject"].values, len(TASK_SUBJECTS) + calls.subject]),
        ),
        "status": _append(old["status"], np.zeros(m)),
        "is_closed": np.concatenate([old["is_closed"], np.ones(m, dtype=bool)]),
        "activity_date": np.concatenate([old["activity_date"], local_day(calls.start)]),
        "completed_date_time": np.concatenate([old["completed_date_time"], calls.end]),
        "call_type": _append(old["call_type"], np.zeros(m)),
        "call_disposition": _append(old["call_disposition"], disposition),
        "call_duration_in_seconds": np.concatenate([old["call_duration_in_seconds"], calls.end - calls.start]),
        "hearing_item_count_c": np.concatenate([old["hearing_item_count_c"], np.where(calls.connected, 0, NULL)]),
    }
    assert set(merged) == set(old) | {"account_id"}, "a task column the role calls do not fill"
    modstamp = merged["system_modstamp"]
    order = np.argsort(modstamp, kind="stable")
    return Activities({name: _take(data, order) for name, data in merged.items()}, modstamp[order])


def _append(codes: Codes, values: np.ndarray) -> Codes:
    return Codes(codes.labels, np.concatenate([codes.values, values.astype(codes.values.dtype)]))


def _take(data: np.ndarray | Ids | Codes, order: np.ndarray) -> np.ndarray | Ids | Codes:
    return data.at(order) if isinstance(data, (Ids, Codes)) else data[order]
