"""Tasks (calls, e-mails, to-dos) and events (meetings), the activity log of both teams.

Calls come from the funnel simulation; e-mails follow calls the way reps work (a
"sorry I missed you" mail after an unanswered call, a thank-you after a conversation);
a mass e-mail (ListEmail: a seminar invitation) reaches some leads weeks after they came
in, which touches nobody in person; open follow-up to-dos exist for about half of the
leads still open at the snapshot, which is what next-action coverage measures. Meetings
booked before the snapshot may start after it. Activities are immutable once written,
so a file holds those whose modstamp falls in its window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo_data.company import USER, Roster
from orchestration.demo_data.frame import Codes, Frame, Ids, take
from orchestration.demo_data.funnel import DISPOSITIONS, Funnel
from orchestration.demo_data.history import CONVERTED, DISQUALIFIED, status_at
from orchestration.demo_data.jp_calendar import DAY, NULL, BusinessClock, instant, local_day, local_seconds
from orchestration.demo_data.leads import LEAD, Leads
from orchestration.demo_data.opportunities import ACCOUNT, CONTACT, OPPORTUNITY, Accounts, Deals

TASK, EVENT = "00T", "00U"
CALL, EMAIL, TODO_DONE, TODO_OPEN, LIST_EMAIL = range(5)
TASK_TYPE = np.array([0, 1, 2, 2, 1], dtype=np.int8)  # per kind: Call, Email, Other
TASK_SUBTYPE = np.array([0, 1, 2, 2, 3], dtype=np.int8)  # per kind: Call, Email, Task, ListEmail
TASK_SUBJECTS = (
    "架電",
    "資料送付のご案内",
    "お電話の件（ご不在のため）",
    "本日のお打ち合わせのお礼",
    "ヒアリングシート作成",
    "フォローコール予定",
    "【一斉配信】セミナーのご案内",
)
EVENT_SUBJECTS = (
    "オンライン商談",
    "初回訪問",
    "【キャンセル】オンライン商談",
    "ヒアリング",
    "製品デモ",
    "ご提案",
    "条件交渉",
    "契約締結",
    "週次定例",
)
_STAGE_SUBJECT = np.array([1, 3, 3, 4, 4, 4, 5, 6, 7])  # per stage column entered (column 8: the won close)


@dataclass
class Activities:
    """Rows of one object, sorted by modstamp (which decides the file a row goes to), ids in that order."""

    frame: Frame
    modstamp: np.ndarray

    def written(self, low: int, high: int) -> Frame:
        """Rows written in (low, high]: a slice, so ten million tasks are not copied."""
        first, stop = np.searchsorted(self.modstamp, [low, high], side="right")
        return take(self.frame, slice(first, stop))


def owner_at(leads: Leads, stop: np.ndarray, successor: np.ndarray, lead: np.ndarray, t: np.ndarray) -> np.ndarray:
    """The rep who worked the lead at `t`: after a rep leaves or moves, the successor."""
    owner = leads.owner[lead]
    until = stop[owner]
    return np.where((until != NULL) & (t >= until), successor[owner], owner)


def _intro_time(rng: np.random.Generator, leads: Leads, clock: BusinessClock, rows: np.ndarray) -> np.ndarray:
    """A welcome e-mail: soon after creation in office hours, else first thing the next business day.

    How soon is the habit of the lead's rep (spread over the reps by the golden ratio), so
    speed to lead varies by rep: some write within minutes, some within two hours, some
    only a business day later. Their draws come from a child generator of their own, so
    the other activities keep theirs."""
    created, day = leads.created[rows], leads.day[rows]
    sec = local_seconds(created)
    in_office = np.isin(day, clock.days) & (sec >= 9 * 3600) & (sec < 17 * 3600)
    next_day = clock.day_at(clock.index_on_or_after(day + (sec >= 9 * 3600)))
    usual = np.where(
        in_office,
        created + rng.integers(600, 7200, rows.size),
        instant(next_day, 9 * 3600 + rng.integers(0, 3600, rows.size)),
    )
    # A child keyed apart from rng.spawn's numbering, so the children spawned elsewhere keep their draws.
    seeds = rng.bit_generator.seed_seq
    own = np.random.default_rng(np.random.SeedSequence(seeds.entropy, spawn_key=(*seeds.spawn_key, 26)))
    habit = leads.owner[rows] * 0.618 % 1
    opening = np.where(in_office, created, instant(next_day, 9 * 3600))
    prompt = opening + own.integers(60, 900, rows.size)
    later_day = np.where(in_office, next_day, clock.day_at(clock.index_on_or_after(next_day) + 1))
    a_day_later = instant(later_day, 9 * 3600 + own.integers(0, 3 * 3600, rows.size))
    return np.select([habit < 0.45, habit < 0.75], [prompt, usual], a_day_later)


def build_tasks(
    rng: np.random.Generator,
    leads: Leads,
    funnel: Funnel,
    stop: np.ndarray,
    successor: np.ndarray,
    new_owner: np.ndarray,
    t_owner_change: np.ndarray,
    clock: BusinessClock,
    cutoff: int,
    end_day: int,
) -> Activities:
    calls = funnel.calls
    n_calls = calls.lead.size
    # e-mails
    sec = local_seconds(leads.created)
    office = np.isin(leads.day, clock.days) & (sec >= 9 * 3600) & (sec < 17 * 3600)
    intro = np.flatnonzero(funnel.worked & (rng.random(leads.size) < np.where(office, 0.9, 0.5)))
    after = rng.random(n_calls) < np.where(calls.connected, 0.4, 0.15)
    mail_lead = np.concatenate([intro, calls.lead[after]])
    mail_time = np.concatenate(
        [
            _intro_time(rng, leads, clock, intro),
            calls.end[after]
            + np.where(
                calls.connected[after], rng.integers(600, 3600, after.sum()), rng.integers(60, 1800, after.sum())
            ),
        ]
    )
    mail_subject = np.concatenate([np.full(intro.size, 1), np.where(calls.connected[after], 3, 2)])
    # to-dos: a hearing sheet after each booking, open follow-ups on about half of the open leads
    booked = np.flatnonzero(funnel.t_booking != NULL)
    sheet_time = funnel.t_booking[booked] + rng.integers(1800, 7200, booked.size)
    existing = np.flatnonzero(leads.created <= cutoff)
    status = status_at(funnel, existing, np.full(existing.size, cutoff))
    open_leads = existing[(status != CONVERTED) & (status != DISQUALIFIED) & (rng.random(existing.size) < 0.55)]
    follow_time = np.minimum(_last_touch(leads, funnel, open_leads, cutoff) + 120, cutoff)
    overdue = rng.random(open_leads.size) < 0.2
    due_future = clock.day_at(
        clock.index_on_or_after(np.full(open_leads.size, end_day + 1)) + rng.integers(0, 15, open_leads.size)
    )
    due = np.where(
        overdue, np.minimum(local_day(follow_time) + rng.integers(3, 11, open_leads.size), end_day), due_future
    )
    # mass e-mails: a seminar invitation to about a third of the leads, 2-17 weeks after creation
    listed = np.flatnonzero(rng.random(leads.size) < 0.3)
    list_time = leads.created[listed] + rng.integers(14, 120, listed.size) * DAY + rng.integers(0, 3600, listed.size)
    listed, list_time = listed[list_time <= cutoff], list_time[list_time <= cutoff]

    kind = np.concatenate(
        [
            np.full(n_calls, CALL),
            np.full(mail_lead.size, EMAIL),
            np.full(booked.size, TODO_DONE),
            np.full(open_leads.size, TODO_OPEN),
            np.full(listed.size, LIST_EMAIL),
        ]
    ).astype(np.int8)
    lead = np.concatenate([calls.lead, mail_lead, booked, open_leads, listed])
    created = np.concatenate([calls.start, mail_time, sheet_time, follow_time, list_time])
    done = np.concatenate(
        [
            calls.end,
            mail_time,
            sheet_time + rng.integers(600, 3600, booked.size),
            np.full(open_leads.size, NULL),
            list_time,
        ]
    )
    modstamp = np.where(kind == TODO_OPEN, created, done)
    order = np.argsort(modstamp, kind="stable")  # files are then slices of one sorted table
    kind, lead, created, done, modstamp = kind[order], lead[order], created[order], done[order], modstamp[order]
    subject = np.concatenate(
        [
            np.zeros(n_calls, dtype=np.int8),
            mail_subject,
            np.full(booked.size, 4),
            np.full(open_leads.size, 5),
            np.full(listed.size, 6),
        ]
    ).astype(np.int8)[order]
    disposition = np.concatenate([calls.disposition, np.full(lead.size - n_calls, NULL)]).astype(np.int16)[order]
    duration = np.concatenate([calls.end - calls.start, np.full(lead.size - n_calls, NULL)]).astype(np.int32)[order]
    hearing = np.concatenate([calls.hearing, np.full(lead.size - n_calls, NULL)]).astype(np.int8)[order]
    activity_day = np.concatenate(
        [local_day(calls.start), local_day(mail_time), local_day(sheet_time), due, local_day(list_time)]
    )[order]
    owner = owner_at(leads, stop, successor, lead, created)
    is_open = kind == TODO_OPEN
    handed = is_open & (t_owner_change[lead] != NULL) & (t_owner_change[lead] <= cutoff)
    owner = np.where(handed, new_owner[lead], owner)
    n = lead.size
    frame: Frame = {
        "id": Ids(TASK, np.arange(1, n + 1)),
        "created_date": created,
        "system_modstamp": modstamp,
        "last_modified_date": modstamp,
        "is_deleted": np.zeros(n, dtype=bool),
        "who_id": Ids(LEAD, lead + 1),
        "owner_id": Ids(USER, owner + 1),
        "type": Codes(("Call", "Email", "Other"), TASK_TYPE[kind]),
        "task_subtype": Codes(("Call", "Email", "Task", "ListEmail"), TASK_SUBTYPE[kind]),
        "subject": Codes(TASK_SUBJECTS, subject),
        "status": Codes(("Completed", "Not Started"), is_open.astype(np.int8)),
        "is_closed": ~is_open,
        "activity_date": activity_day,
        "completed_date_time": done,
        "call_type": Codes(("Outbound",), np.where(kind == CALL, 0, NULL).astype(np.int8)),
        "call_disposition": Codes(DISPOSITIONS, disposition),
        "call_duration_in_seconds": duration,
        "hearing_item_count_c": hearing,
    }
    return Activities(frame, modstamp)


def _last_touch(leads: Leads, funnel: Funnel, rows: np.ndarray, cutoff: int) -> np.ndarray:
    """Per lead in `rows`: end of its last call before `cutoff`, else its creation."""
    calls = funnel.calls
    before = calls.end <= cutoff
    count = np.bincount(calls.lead[before], minlength=leads.size)
    first = np.cumsum(np.bincount(calls.lead, minlength=leads.size)) - np.bincount(calls.lead, minlength=leads.size)
    last = np.where(count[rows] > 0, calls.end[np.maximum(first[rows] + count[rows] - 1, 0)], NULL)
    return np.maximum(last, leads.created[rows])


def _first_visit_booking(rng: np.random.Generator, deals: Deals, clock: BusinessClock, deal: np.ndarray) -> np.ndarray:
    """When the owner books the first visit of each deal in `deal`: each rep books a share of
    hand-offs (30-95%, spread over the reps by the golden ratio) within four business days
    and leaves the rest for 6-14; earlier meetings on the deal follow some of those up in time.

    Drawn from a child generator, so the other activities keep their draws."""
    own = rng.spawn(1)[0]
    prompt = 0.3 + 0.65 * (np.arange(int(deals.owner.max()) + 1) * 0.618 % 1)
    late = own.random(deal.size) >= prompt[deals.owner[deal]]
    lag = np.where(late, own.integers(6, 15, deal.size), own.integers(0, 5, deal.size))
    created = deals.created[deal]
    day = clock.day_at(clock.index_on_or_after(local_day(created)) + lag)
    later = instant(day, 9 * 3600 + own.integers(0, 8 * 3600, deal.size))
    return np.where(lag == 0, created, np.maximum(created, later))


def build_events(
    rng: np.random.Generator,
    leads: Leads,
    funnel: Funnel,
    deals: Deals,
    accounts: Accounts,
    roster: Roster,
    stop: np.ndarray,
    successor: np.ndarray,
    clock: BusinessClock,
    first_day: int,
    last: int,
) -> Activities:
    """Meetings booked by IS, cancelled bookings, field-sales meetings on deals, weekly team meetings,
    and demos an IS rep books with a converted lead's contact after its opportunity exists."""
    appointment = np.flatnonzero(funnel.t_booking != NULL)
    cancelled = np.flatnonzero(funnel.t_cancelled_booking != NULL)
    c_created = funnel.t_cancelled_booking[cancelled]
    c_start = instant(
        clock.day_at(clock.index_on_or_after(local_day(c_created) + 3)), np.full(cancelled.size, 14 * 3600)
    )

    entry = np.concatenate([deals.entry, np.where(deals.won, deals.close, NULL)[:, None]], axis=1)
    chance = np.r_[0.9, np.full(7, 0.95), 0.5]
    deal, stage = np.nonzero((entry != NULL) & (rng.random(entry.shape) < chance))
    d_start = entry[deal, stage] // 3600 * 3600
    first_visit = stage == 0  # booked after the hand-off (the rep's follow-up), held a few business days later
    booked = _first_visit_booking(rng, deals, clock, deal)
    visit_day = clock.day_at(clock.index_on_or_after(local_day(booked) + rng.integers(2, 6, deal.size)))
    d_start = np.where(first_visit, instant(visit_day, rng.choice([10, 14, 16], deal.size) * 3600), d_start)
    d_created = np.where(
        first_visit,
        booked,
        np.maximum(deals.created[deal], d_start - rng.integers(DAY, 7 * DAY, deal.size)),
    )

    # a demo the IS rep joins after the hand-off: on the contact, after the opportunity was created
    demo = np.flatnonzero((deals.lead != NULL) & (rng.random(deals.lead.size) < 0.15))
    demo_created = deals.created[demo] + rng.integers(DAY, 3 * DAY, demo.size)
    demo_start = instant(
        clock.day_at(clock.index_on_or_after(local_day(demo_created) + rng.integers(2, 7, demo.size))),
        np.full(demo.size, 14 * 3600),
    )

    weekly_days = clock.days[(clock.days >= first_day) & (clock.days <= local_day(np.array([last]))[0])]
    weekly_days = weekly_days[np.r_[True, (weekly_days[1:] + 3) // 7 != (weekly_days[:-1] + 3) // 7]]
    user, week = np.divmod(np.arange(roster.size * weekly_days.size), weekly_days.size)
    w_start = instant(weekly_days[week], np.full(week.size, 10 * 3600))
    user_stop = stop[user]
    ok = (roster.created[user] <= w_start - 14 * DAY) & ((user_stop == NULL) | (w_start < user_stop))
    user, w_start = user[ok], w_start[ok]

    groups = [
        # kind, created, start, minutes, owner, who (kind, value), what, account, type, subject
        (
            appointment,
            funnel.t_booking[appointment],
            funnel.t_meeting[appointment],
            60,
            owner_at(leads, stop, successor, appointment, funnel.t_booking[appointment]),
            (0, appointment + 1),
            NULL,
            NULL,
            np.where(rng.random(appointment.size) < 0.1, NULL, 0),
            rng.integers(0, 2, appointment.size),
        ),
        (
            cancelled,
            c_created,
            c_start,
            60,
            owner_at(leads, stop, successor, cancelled, c_created),
            (0, cancelled + 1),
            NULL,
            NULL,
            np.full(cancelled.size, 2),
            np.full(cancelled.size, 2),
        ),
        (
            deal,
            d_created,
            d_start,
            60,
            deals.owner[deal],
            (1, deals.account[deal] + 1),
            deal + 1,
            deals.account[deal] + 1,
            np.where(rng.random(deal.size) < 0.08, NULL, 0),
            _STAGE_SUBJECT[stage],
        ),
        (
            demo,
            demo_created,
            demo_start,
            60,
            owner_at(leads, stop, successor, deals.lead[demo], demo_created),
            (1, deals.account[demo] + 1),
            demo + 1,
            deals.account[demo] + 1,
            np.zeros(demo.size, dtype=np.int64),
            np.full(demo.size, 4),
        ),
        (
            user,
            w_start - 14 * DAY,
            w_start,
            30,
            user,
            (0, np.full(user.size, NULL)),
            NULL,
            NULL,
            np.full(user.size, 3),
            np.full(user.size, 8),
        ),
    ]
    created = np.concatenate([g[1] for g in groups])
    start = np.concatenate([g[2] for g in groups])
    minutes = np.concatenate([np.full(g[0].size, g[3]) for g in groups])
    owner = np.concatenate([g[4] for g in groups])
    who_kind = np.concatenate([np.full(g[0].size, g[5][0]) for g in groups])
    who = np.concatenate([g[5][1] for g in groups])
    what = np.concatenate([np.broadcast_to(g[6], g[0].shape) for g in groups])
    account = np.concatenate([np.broadcast_to(g[7], g[0].shape) for g in groups])
    etype = np.concatenate([g[8] for g in groups])
    subject = np.concatenate([g[9] for g in groups])
    cancel_time = np.concatenate(
        [
            np.full(appointment.size, NULL),
            c_created + rng.integers(3600, 2 * DAY, cancelled.size),
            np.full(deal.size + demo.size + user.size, NULL),
        ]
    )
    modstamp = np.where(cancel_time != NULL, cancel_time, created)
    keep = modstamp <= last  # booked by the snapshot; the meeting itself may still be to come
    order = np.flatnonzero(keep)[np.argsort(modstamp[keep], kind="stable")]
    n = order.size
    start, modstamp = start[order], modstamp[order]
    frame: Frame = {
        "id": Ids(EVENT, np.arange(1, n + 1)),
        "created_date": created[order],
        "system_modstamp": modstamp,
        "last_modified_date": modstamp,
        "is_deleted": np.zeros(n, dtype=bool),
        "who_id": Ids((LEAD, CONTACT), who[order], who_kind[order]),
        "what_id": Ids(OPPORTUNITY, what[order]),
        "account_id": Ids(ACCOUNT, account[order]),
        "owner_id": Ids(USER, owner[order] + 1),
        "type": Codes(
            ("Meeting", "Cancelled", "Other"), np.select([etype[order] == 2, etype[order] == 3], [1, 2], etype[order])
        ),
        "event_subtype": Codes(("Event",), np.zeros(n, dtype=np.int8)),
        "subject": Codes(EVENT_SUBJECTS, subject[order]),
        "activity_date": local_day(start),
        "start_date_time": start,
        "end_date_time": start + minutes[order] * 60,
        "duration_in_minutes": minutes[order],
    }
    return Activities(frame, modstamp)
