"""Inside-sales work beyond the new-lead funnel, so every inside-sales role occurs
(seeds/inside_sales_role_rules.csv) with calls, appointments and opportunities:
disqualified leads called again and lost deals' contacts re-engaged more than
RECYCLE_AFTER_DAYS later (recycle), calls to customer accounts' contacts and leads from
a customer's company converting into Existing Business deals (upsell), and a target-account
list of prospect accounts with a contact each, cold-called (a few calls logged on nothing,
as real CRMs hold), next to leads inside sales sourced itself, lead source Outbound
(outbound). Connected role calls book meetings at rates that differ by role. Draws come
from generators of their own, and new calls, meetings and accounts get ids after the
existing ones, so those keep theirs.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

import numpy as np

from orchestration.demo_data.activities import EVENT_SUBJECTS, TASK, TASK_SUBJECTS, Activities
from orchestration.demo_data.campaigns import LEAD_SOURCES
from orchestration.demo_data.company import Roster, pick_working
from orchestration.demo_data.frame import Codes, Frame, Ids, concat
from orchestration.demo_data.funnel import CONNECTED, NOT_CONNECTED, Funnel
from orchestration.demo_data.history import LeadEvents
from orchestration.demo_data.jp_calendar import NULL, BusinessClock, instant, local_day, office_seconds
from orchestration.demo_data.leads import COMPANIES, INDUSTRIES, LEAD, Leads
from orchestration.demo_data.opportunities import (
    ACCOUNT,
    CONTACT,
    CONTACT_DEPARTMENTS,
    Accounts,
    Deals,
    accounts_of,
    customer_since,
    deals_of,
)

RECYCLE_AFTER_DAYS = 90  # the warehouse's default var recycle_after_days
ROLE_SUBJECTS = ("再アプローチ架電", "既存顧客フォローコール", "新規開拓架電（ターゲットリスト）")
RECYCLE_SUBJECT, UPSELL_SUBJECT, OUTBOUND_SUBJECT = range(3)
LEAD_KIND, CONTACT_KIND = 0, 1
OUTBOUND_SOURCE = LEAD_SOURCES.index("Outbound")
# Leads from cold sources (web, advertisement) that inside sales sourced itself instead.
OUTBOUND_LEAD_SHARE = 0.12
TARGET_ACCOUNTS_PER_LEAD = 0.05
UNLOGGED_OUTBOUND_SHARE = 0.1  # cold calls logged on no account or contact
# Per role subject: the share of connected calls that book a meeting (outbound cold calls least).
MEETING_PER_CONNECTED = np.array([0.3, 0.35, 0.12])
RECYCLE_CONVERSION = 0.35  # of the disqualified leads a recycle call brought to a meeting
MEETING_SUBJECT = EVENT_SUBJECTS.index("オンライン商談")


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
    targets: np.ndarray,
) -> RoleCalls:
    """Recycle, upsell and outbound calls by inside-sales reps working that day, up to `last`;
    outbound calls go to target accounts (`targets`, in creation order) listed by the call's day."""
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
    target = _target_called(rng.spawn(1)[0], local_day(accounts.created[targets]), out_day)
    out_account = np.where(target == NULL, NULL, targets[np.maximum(target, 0)] + 1)

    day = np.concatenate([dq_day, lost_day, upsell_day, out_day])
    start = _on_business_day(rng, clock, day)
    contact_of_lost = deals.account[lost] + 1
    who = np.concatenate([dq + 1, contact_of_lost, customer + 1, out_account])
    kind = np.concatenate(
        [np.full(dq.size, LEAD_KIND), np.full(lost.size + customer.size + n_out, CONTACT_KIND)]
    ).astype(np.int8)
    account = np.concatenate([np.full(dq.size, NULL), contact_of_lost, customer + 1, out_account])
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


def _target_called(rng: np.random.Generator, listed_day: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Per call on `day`: a target already listed then (index into `listed_day`, ascending),
    NULL for a call logged on nothing or before any target was listed."""
    listed = np.searchsorted(listed_day, day, side="right")
    pick = (rng.random(day.size) * listed).astype(np.int64)
    return np.where((listed > 0) & (rng.random(day.size) >= UNLOGGED_OUTBOUND_SHARE), pick, NULL)


def with_outbound_sources(rng: np.random.Generator, leads: Leads) -> Leads:
    """Leads with lead source Outbound: a share of those from cold sources, which score no
    quality points for their source either, so lead quality stays as drawn."""
    cold = np.isin(leads.source, [LEAD_SOURCES.index("Web"), LEAD_SOURCES.index("Advertisement")])
    outbound = cold & (rng.random(leads.size) < OUTBOUND_LEAD_SHARE)
    return replace(leads, source=np.where(outbound, OUTBOUND_SOURCE, leads.source))


def mark_existing_business(deals: Deals, leads: Leads, accounts: Accounts) -> None:
    """A lead's deal is Existing Business (upsell) when the lead's company was already a
    customer (an account of that company had become one) when the deal was created."""
    never = np.iinfo(np.int64).max
    customer_from = np.full(len(COMPANIES), never)
    became = accounts.t_customer != NULL
    np.minimum.at(customer_from, accounts.company[became], accounts.t_customer[became])
    from_lead = np.flatnonzero(deals.lead != NULL)
    company = leads.company[deals.lead[from_lead]]
    deals.existing_business[from_lead] |= customer_from[company] < deals.created[from_lead]


def add_target_accounts(
    rng: np.random.Generator, accounts: Accounts, roster: Roster, first_day: int, last_day: int, leads: int
) -> np.ndarray:
    """Append prospect accounts of a target-account list (no lead, one contact each),
    listed by inside-sales reps over the period; their indices, in creation order."""
    n = max(10, round(leads * TARGET_ACCOUNTS_PER_LEAD))
    day = np.sort(rng.integers(first_day - 30, last_day + 1, n))
    created = instant(day, office_seconds(rng, n))
    employees = np.clip(np.round(300 * np.exp(1.3 * rng.standard_normal(n))), 10, 100_000).astype(np.int64)
    first = accounts.created.size
    _extend(
        accounts,
        Accounts(
            created=created,
            owner=_reps_at(rng, roster, np.maximum(day, first_day)),
            lead=np.full(n, NULL),
            company=rng.integers(0, len(COMPANIES), n),
            industry=rng.integers(0, len(INDUSTRIES), n),
            employees=employees,
            revenue=np.round(employees * 2.5e7, -6),
            country=np.zeros(n, dtype=np.int64),
            source=np.full(n, OUTBOUND_SOURCE),
            t_customer=np.full(n, NULL),
            contact_title=rng.choice([3, 4, 7], n),
            contact_department=rng.integers(0, len(CONTACT_DEPARTMENTS), n),
        ),
    )
    return first + np.arange(n)


@dataclass
class RoleMeetings:
    call: np.ndarray  # index into the RoleCalls that booked it
    booked: np.ndarray
    start: np.ndarray


def book_role_meetings(rng: np.random.Generator, calls: RoleCalls, clock: BusinessClock, last: int) -> RoleMeetings:
    """Meetings connected role calls book on the call's lead or contact, held 2-7 business days later."""
    call = np.flatnonzero(
        calls.connected & (calls.who != NULL) & (rng.random(calls.start.size) < MEETING_PER_CONNECTED[calls.subject])
    )
    booked = calls.end[call] + rng.integers(60, 1800, call.size)
    call, booked = call[booked <= last], booked[booked <= last]
    held_day = clock.day_at(clock.index_on_or_after(local_day(booked)) + rng.integers(2, 8, call.size))
    return RoleMeetings(call, booked, instant(held_day, rng.choice([10, 14, 16], call.size) * 3600))


def convert_recycled(
    rng: np.random.Generator,
    leads: Leads,
    funnel: Funnel,
    events: LeadEvents,
    accounts: Accounts,
    deals: Deals,
    roster: Roster,
    clock: BusinessClock,
    first_day: int,
    last_day: int,
    calls: RoleCalls,
    booked: RoleMeetings,
) -> None:
    """Some disqualified leads that a recycle call brought to a meeting are converted days
    after it (status Disqualified, then Converted), with an account and a deal appended
    after the others; the deal is won as the lead's own outcome says."""
    on_lead = (calls.who_kind[booked.call] == LEAD_KIND) & (calls.subject[booked.call] == RECYCLE_SUBJECT)
    lead, first = np.unique(calls.who[booked.call[on_lead]] - 1, return_index=True)  # a lead's first meeting
    start = booked.start[on_lead][first]
    convert = (rng.random(lead.size) < RECYCLE_CONVERSION) & (funnel.t_convert[lead] == NULL)
    lead, start = lead[convert], start[convert]
    day = clock.day_at(clock.index_on_or_after(local_day(start)) + rng.integers(1, 5, lead.size))
    at = instant(day, office_seconds(rng, lead.size))
    order = np.argsort(at, kind="stable")
    lead, at = lead[order], at[order]
    funnel.t_convert[lead] = at
    funnel.converted[lead] = True
    funnel.wants_opportunity[lead] = True
    _extend(accounts, accounts_of(rng, leads, funnel, events, roster, first_day, lead, 0))
    _extend(deals, deals_of(rng, leads, funnel, accounts, roster, clock, first_day, last_day, lead, 0))
    accounts.t_customer = customer_since(accounts, deals)


def _extend(rows: Accounts | Deals, more: Accounts | Deals) -> None:
    """Append `more`'s rows (the same dataclass) to `rows`, field by field."""
    for name in (f.name for f in fields(rows)):
        setattr(rows, name, np.concatenate([getattr(rows, name), getattr(more, name)]))


def with_role_meetings(meetings: Activities, calls: RoleCalls, role_meetings: RoleMeetings) -> Activities:
    """The event log with the role calls' meetings merged in by modstamp; existing events keep their ids."""
    books, booked, start = role_meetings.call, role_meetings.booked, role_meetings.start
    n, n_old = books.size, meetings.modstamp.size
    old = meetings.frame
    added: Frame = {
        "id": Ids(old["id"].prefix, n_old + np.arange(1, n + 1)),
        "created_date": booked,
        "system_modstamp": booked,
        "last_modified_date": booked,
        "is_deleted": np.zeros(n, dtype=bool),
        "who_id": Ids(old["who_id"].prefix, calls.who[books], calls.who_kind[books]),
        "what_id": Ids(old["what_id"].prefix, np.full(n, NULL)),
        "account_id": Ids(ACCOUNT, calls.account[books]),
        "owner_id": Ids(old["owner_id"].prefix, calls.owner[books] + 1),
        "type": Codes(old["type"].labels, np.zeros(n, dtype=old["type"].values.dtype)),
        "event_subtype": Codes(old["event_subtype"].labels, np.zeros(n, dtype=old["event_subtype"].values.dtype)),
        "subject": Codes(old["subject"].labels, np.full(n, MEETING_SUBJECT, dtype=old["subject"].values.dtype)),
        "activity_date": local_day(start),
        "start_date_time": start,
        "end_date_time": start + 3600,
        "duration_in_minutes": np.full(n, 60, dtype=old["duration_in_minutes"].dtype),
    }
    merged = concat([old, added])
    modstamp = merged["system_modstamp"]
    order = np.argsort(modstamp, kind="stable")
    return Activities({name: _take(data, order) for name, data in merged.items()}, modstamp[order])


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
