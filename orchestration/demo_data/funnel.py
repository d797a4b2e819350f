"""What happens to each lead in inside sales: calls, contact, hearing, appointment, hand-off.

The inside-sales team has a fixed capacity (about 50 calls per rep per business day), so
the number of call attempts a lead gets depends on how many other leads arrived that
week: when marketing triples volume, attempts per lead fall, fewer leads are reached,
and the funnel leaks - the effect the warehouse exists to show. Quality leads (by the
default rules) connect, confirm needs, book meetings and convert more often at every
step. Everything is simulated to the end of the delta day; files then show the state
at their cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo_data.company import CALLS_PER_REP_DAY, Roster
from orchestration.demo_data.jp_calendar import NULL, BusinessClock, instant, local_day, local_seconds, office_seconds
from orchestration.demo_data.leads import Leads

# (quality lead, general lead) probabilities in a normal week
RATES = {
    "connect_per_attempt": (0.12, 0.065),
    "need_given_contact": (0.80, 0.58),
    "appointment_given_need": (0.70, 0.48),
    "handoff_given_meeting": (0.55, 0.38),
    "opportunity_given_handoff": (0.97, 0.90),
    "win": (0.34, 0.20),
}
# multipliers for leads brought in by the volume push (list leads, students, tiny firms)
PUSH_FACTOR = {
    "connect_per_attempt": 0.8,
    "need_given_contact": 0.85,
    "appointment_given_need": 0.75,
    "handoff_given_meeting": 0.85,
    "win": 0.6,
}

MAX_MEAN_ATTEMPTS = 12  # beyond this cadence, spare capacity goes into follow-up calls instead
NURTURE_CALLS = 3  # extra calls per contacted, unbooked lead per unit of spare intensity
MAX_INTENSITY = 60.0  # below ~2,500 leads even this leaves the minimum IS team under 50 calls a day

CONNECTED = ("Connected", "接続", "Conversation", "対話", "Interested", "Call Back Later", "Not Interested")
NOT_CONNECTED = ("No Answer", "不在", "Busy", "Left Voicemail", "留守電", "Gatekeeper", "Wrong Number")
UNMAPPED = ("Fax Tone", "話し中", "FAX")
_CLEAN = CONNECTED + NOT_CONNECTED
_VARIANTS = tuple(
    v
    for label in _CLEAN
    for v in (
        (label.lower(), label.upper(), f" {label}", f"{label} ") if label.isascii() else (f" {label}", f"{label} ")
    )
)
DISPOSITIONS = _CLEAN + UNMAPPED + _VARIANTS
_FIRST_CONTACT_P = np.array([0.35, 0.2, 0.15, 0.1, 0.12, 0.08, 0])
_NEED_FOLLOW_P = np.array([0.1, 0.05, 0.3, 0.2, 0.25, 0.1, 0])
_NO_NEED_FOLLOW_P = np.array([0.15, 0.05, 0.15, 0.05, 0.05, 0.25, 0.3])
_MISSED_P = np.array([0.3, 0.2, 0.08, 0.12, 0.08, 0.2, 0.02])


@dataclass
class Calls:
    """One entry per call, grouped by lead and in time order within a lead."""

    lead: np.ndarray
    start: np.ndarray
    end: np.ndarray
    connected: np.ndarray
    disposition: np.ndarray  # index into DISPOSITIONS
    hearing: np.ndarray  # hearing items confirmed, NULL when not connected


@dataclass
class Funnel:
    calls: Calls
    worked: np.ndarray
    contacted: np.ndarray
    appointment: np.ndarray
    converted: np.ndarray
    wants_opportunity: np.ndarray
    wins: np.ndarray  # the opportunity (if any) will be won
    t_contact: np.ndarray  # instants, NULL when it never happens
    t_need_status: np.ndarray
    t_booking: np.ndarray
    t_meeting: np.ndarray
    t_cancelled_booking: np.ndarray  # a meeting booked and cancelled before the real one (or instead of it)
    t_convert: np.ndarray
    t_disqualify: np.ndarray
    t_last_call: np.ndarray


def _rate(name: str, leads: Leads) -> np.ndarray:
    """Per-lead probability: by quality, nudged by the latent interest, lowered for push leads."""
    quality, general = RATES[name]
    p = np.where(leads.quality, quality, general) * np.exp(0.2 * leads.interest)
    return np.clip(np.where(leads.push, p * PUSH_FACTOR.get(name, 1.0), p), 0.0, 0.98)


def _group_cumsum(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    running = np.concatenate([[0], np.cumsum(values)])
    starts = np.cumsum(counts) - counts
    return running[1:] - np.repeat(running[starts], counts)


def _capacity_ratio(leads: Leads, roster: Roster, clock: BusinessClock, first_day: int) -> np.ndarray:
    """Per lead: IS capacity per new lead in its creation week, relative to a typical week."""
    week = (leads.day - first_day) // 7
    weeks = int(week.max()) + 1
    bd = clock.days[(clock.days >= first_day) & (clock.days < first_day + 7 * weeks)]
    bd_week = (bd - first_day) // 7
    capacity = np.zeros(weeks)
    for a, b in roster.is_days[roster.inside_reps()]:
        capacity += np.bincount(bd_week[(bd >= a) & (bd <= b)], minlength=weeks)[:weeks]
    demand = np.bincount(week, minlength=weeks).astype(float)
    smoothed = np.convolve(demand, np.ones(3) / 3)[:weeks]  # this and the two previous weeks' arrivals
    ratio = np.where(smoothed > 0, capacity / np.maximum(smoothed, 1e-9), np.nan)
    ratio = ratio / np.nanmedian(ratio)
    return np.nan_to_num(ratio, nan=1.0)[week]


def _calibrate(
    cost: np.ndarray, geometric: np.ndarray, post: np.ndarray, nurture: np.ndarray, dither: np.ndarray, target: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Attempts and follow-up calls per lead such that all calls add up to the team's capacity.

    Bisection on one effort level: up to a sensible cadence it buys more attempts per
    lead; past it (a small run with the minimum team) more nurturing calls on contacted
    leads that book no meeting (a booked lead stops being called at the booking), called
    back sooner in proportion (the returned intensity).
    """
    cap = MAX_MEAN_ATTEMPTS / max(float(cost[cost > 0].mean()) if (cost > 0).any() else 1.0, 1e-9)

    def plan(effort: float) -> tuple[np.ndarray, np.ndarray, float]:
        intensity = max(1.0, effort / cap)
        attempts = np.ceil(min(effort, cap) * cost).astype(np.int64)
        follow_ups = post + np.where(nurture, np.floor(NURTURE_CALLS * (intensity - 1.0) + dither), 0).astype(np.int64)
        return attempts, follow_ups, intensity

    def total(effort: float) -> float:
        attempts, follow_ups, _ = plan(effort)
        return float(np.where(geometric <= attempts, geometric + follow_ups, attempts).sum())

    low, high = 0.01, MAX_INTENSITY * cap
    for _ in range(60):
        mid = (low * high) ** 0.5
        low, high = (mid, high) if total(mid) < target else (low, mid)
    return plan((low * high) ** 0.5)


def simulate(
    rng: np.random.Generator, leads: Leads, roster: Roster, clock: BusinessClock, first_day: int, end_day: int
) -> Funnel:
    n = leads.size
    ratio = _capacity_ratio(leads, roster, clock, first_day)
    japan = leads.country == 0
    worked = rng.random(n) < np.clip(0.985 - 0.3 * np.maximum(0.0, 1.0 - ratio), 0.5, 0.99)
    email_only = ~japan & (rng.random(n) < 0.5)
    rating_push = np.select([leads.rating == 0, leads.rating == 2], [1.2, 0.9], 1.0)
    cost = np.where(
        worked & ~email_only,
        ratio**0.7 * np.where(leads.quality, 1.25, 1.0) * rating_push * rng.gamma(4.0, 0.25, n),
        0.0,
    )
    p_connect = _rate("connect_per_attempt", leads) * np.where(japan, 1.0, 0.5)
    geometric = rng.geometric(p_connect)
    need_draw, appointment_draw, handoff_draw = rng.random(n), rng.random(n), rng.random(n)
    need_p, appointment_p = _rate("need_given_contact", leads), _rate("appointment_given_need", leads)
    # follow-up calls after first contact: more when a need is found, one more to book a meeting
    will_need = need_draw < need_p
    will_book = np.where(will_need, appointment_draw < appointment_p, appointment_draw < 0.05)
    post = np.where(will_need, 1 + rng.poisson(2.0, n), rng.poisson(1.0, n)) + will_book

    rep_days = sum(
        clock.count_between(max(a, first_day), min(b, end_day)) for a, b in roster.is_days[roster.inside_reps()]
    )
    capacity = CALLS_PER_REP_DAY * rep_days
    cutoff = instant(np.array([end_day + 1]), np.zeros(1, dtype=np.int64))[0] - 1
    dither = rng.random(n)
    target = capacity
    for _ in range(3):  # later passes make up for calls that fall after the snapshot cut-off
        attempts, follow_ups, intensity = _calibrate(cost, geometric, post, ~will_book, dither, target)
        contacted = geometric <= attempts
        need = contacted & will_need
        appointment = contacted & will_book
        pre = np.where(contacted, geometric, attempts)
        n_calls = pre + np.where(contacted, follow_ups, 0)
        calls, t_contact, t_need = _calls(
            rng, leads, clock, ratio, intensity, n_calls, pre, contacted, need, appointment
        )
        in_window = max(1, int((calls.start <= cutoff).sum()))
        if abs(in_window / capacity - 1.0) < 0.005:
            break
        target *= capacity / in_window
    last_index = np.cumsum(n_calls) - 1
    t_last_call = np.where(n_calls > 0, calls.end[np.maximum(last_index, 0)], NULL)

    t_booking = np.where(appointment, t_last_call + rng.integers(60, 600, n), NULL)
    delta_index = np.searchsorted(clock.days, end_day + 1, side="right") - 1
    booking_bd = clock.index_on_or_after(local_day(np.maximum(t_booking, 0)))
    meeting_bd = np.minimum(booking_bd + 1 + rng.geometric(0.25, n), delta_index)
    slots = np.array([10, 11, 13, 14, 15, 16]) * 3600
    t_meeting = instant(clock.day_at(meeting_bd), slots[rng.integers(0, slots.size, n)])
    t_meeting = np.where(appointment, np.maximum(t_meeting, t_booking + 3600), NULL)

    converted = appointment & (handoff_draw < _rate("handoff_given_meeting", leads))
    convert_bd = clock.index_on_or_after(local_day(np.maximum(t_meeting, 0))) + rng.choice(4, n, p=[0.4, 0.3, 0.2, 0.1])
    t_convert = np.maximum(instant(clock.day_at(convert_bd), office_seconds(rng, n)), t_meeting + 5400)
    t_convert = np.where(converted, t_convert, NULL)

    cancelled = contacted & (rng.random(n) < np.where(appointment, 0.07, np.where(need, 0.08, 0.0)))
    t_cancelled = np.where(cancelled, t_contact + rng.integers(120, 900, n), NULL)

    t_need_status = np.where((t_need != NULL) & (rng.random(n) < 0.6), t_need + 300, NULL)
    t_disqualify = _disqualify(
        rng, leads, worked & (n_calls > 0), contacted, appointment, converted, t_last_call, t_meeting
    )
    return Funnel(
        calls=calls,
        worked=worked,
        contacted=contacted,
        appointment=appointment,
        converted=converted,
        wants_opportunity=converted & (rng.random(n) < _rate("opportunity_given_handoff", leads)),
        wins=rng.random(n) < _rate("win", leads),
        t_contact=np.where(contacted, t_contact + 60, NULL),
        t_need_status=t_need_status,
        t_booking=t_booking,
        t_meeting=t_meeting,
        t_cancelled_booking=t_cancelled,
        t_convert=t_convert,
        t_disqualify=t_disqualify,
        t_last_call=t_last_call,
    )


def _calls(
    rng: np.random.Generator,
    leads: Leads,
    clock: BusinessClock,
    ratio: np.ndarray,
    intensity: float,
    n_calls: np.ndarray,
    pre: np.ndarray,
    contacted: np.ndarray,
    need: np.ndarray,
    appointment: np.ndarray,
) -> tuple[Calls, np.ndarray, np.ndarray]:
    """Lay every call on the business calendar; returns calls and per-lead first contact / need instants."""
    total = int(n_calls.sum())
    lead = np.repeat(np.arange(leads.size, dtype=np.int64), n_calls)
    ordinal = np.arange(total) - np.repeat(np.cumsum(n_calls) - n_calls, n_calls)
    post = ordinal >= pre[lead]
    first = ordinal == 0
    backlog = rng.poisson(3.0 * np.maximum(0.0, 1.0 / np.maximum(ratio, 0.05) - 1.0))
    first_gap = rng.choice(4, leads.size, p=[0.55, 0.3, 0.1, 0.05]) + backlog
    gap = np.where(
        first,
        first_gap[lead],
        np.where(post, rng.geometric(min(0.95, 0.2 * intensity), total), rng.geometric(0.4, total)),
    )
    late = local_seconds(leads.created) >= 18 * 3600
    start_bd = clock.index_on_or_after(leads.day + late)
    day = clock.day_at(start_bd[lead] + _group_cumsum(gap, n_calls))
    start = np.maximum(instant(day, office_seconds(rng, total)), leads.created[lead] + rng.integers(300, 3600, total))

    contact_call = contacted[lead] & (ordinal == pre[lead] - 1)
    last = ordinal == n_calls[lead] - 1
    connected = contact_call | (post & (rng.random(total) < 0.55)) | (last & appointment[lead])
    disposition = np.where(
        contact_call,
        rng.choice(7, total, p=_FIRST_CONTACT_P),
        np.where(need[lead], rng.choice(7, total, p=_NEED_FOLLOW_P), rng.choice(7, total, p=_NO_NEED_FOLLOW_P)),
    )
    missed = len(CONNECTED) + rng.choice(7, total, p=_MISSED_P)
    disposition = np.where(connected, disposition, missed)
    disposition = _mess(rng, disposition, connected)
    hearing = np.where(need[lead], 1 + rng.binomial(5, 0.45, total), 0)
    hearing = np.where(contact_call & ~last & (rng.random(total) < 0.3), 0, hearing)
    hearing = np.where(connected, hearing, NULL)
    duration = np.where(
        connected, np.clip(np.exp(np.log(240) + 0.7 * rng.standard_normal(total)), 30, 3600), rng.integers(5, 60, total)
    ).astype(np.int64)
    end = start + duration

    t_contact = np.full(leads.size, NULL, dtype=np.int64)
    t_contact[lead[contact_call]] = end[contact_call]
    t_need = np.full(leads.size, NULL, dtype=np.int64)
    heard = np.flatnonzero(hearing >= 1)
    first_heard = heard[np.r_[True, lead[heard][1:] != lead[heard][:-1]]] if heard.size else heard
    t_need[lead[first_heard]] = end[first_heard]
    return Calls(lead, start, end, connected, disposition, hearing), t_contact, t_need


def _mess(rng: np.random.Generator, disposition: np.ndarray, connected: np.ndarray) -> np.ndarray:
    """About 1% typed differently (case, spaces), 0.1% of missed calls an unmapped phone-system value."""
    variant_start = len(_CLEAN) + len(UNMAPPED)
    first_variant = np.cumsum([0] + [4 if label.isascii() else 2 for label in _CLEAN])
    n_variants = np.diff(first_variant)
    messy = rng.random(disposition.size) < 0.01
    pick = (
        variant_start
        + first_variant[disposition]
        + (rng.random(disposition.size) * n_variants[disposition]).astype(np.int64)
    )
    out = np.where(messy, pick, disposition)
    unmapped = ~connected & (rng.random(disposition.size) < 0.001)
    return np.where(unmapped, len(_CLEAN) + rng.integers(0, len(UNMAPPED), disposition.size), out)


def _disqualify(
    rng: np.random.Generator,
    leads: Leads,
    called: np.ndarray,
    contacted: np.ndarray,
    appointment: np.ndarray,
    converted: np.ndarray,
    t_last_call: np.ndarray,
    t_meeting: np.ndarray,
) -> np.ndarray:
    """Reps close leads as `Closed - Not Converted` some days after the last touch."""
    n = leads.size
    after_meeting = appointment & ~converted
    base = np.select([after_meeting, called], [t_meeting, t_last_call], leads.created)
    days = np.select(
        [after_meeting, contacted, called],
        [rng.integers(3, 21, n), rng.integers(5, 41, n), rng.integers(5, 31, n)],
        rng.integers(30, 121, n),
    )
    p = np.select([after_meeting, contacted, called], [0.85, 0.6, 0.65], 0.3)
    close = ~converted & (rng.random(n) < p)
    return np.where(close, instant(local_day(base) + days, office_seconds(rng, n)), NULL)
