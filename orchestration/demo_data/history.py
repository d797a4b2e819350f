"""Lead rows as of an instant, and the lead history that explains how they got there.

A lead row is a function of time: its status, owner, conversion and (for ~5% of leads)
a title, industry or head count corrected by sales after talking to the customer. The
snapshot shows each lead at the snapshot cut-off, the delta at the end of the next day,
a stale delta row at some earlier instant. LeadHistory keeps the value at creation in
`old_value`, which is what the warehouse must score quality on: edits lean towards
leads that reached a conversation, so scoring current values would leak the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from orchestration.demo_data.campaigns import LEAD_SOURCES
from orchestration.demo_data.company import USER
from orchestration.demo_data.frame import Codes, Frame, Ids
from orchestration.demo_data.funnel import Funnel
from orchestration.demo_data.jp_calendar import DAY, NULL, day_number, instant, local_day
from orchestration.demo_data.leads import COMPANIES, COUNTRIES, INDUSTRIES, LEAD, RATINGS, TITLES, Leads
from orchestration.demo_data.writer import ids_text

LEAD_HISTORY = "017"
STATUSES = (
    "Open - Not Contacted",
    "Working - Contacted",
    "ニーズ確認済",
    "Closed - Converted",
    "Closed - Not Converted",
)
OPEN, WORKING, NEED, CONVERTED, DISQUALIFIED = range(5)
FIELDS = ("created", "Status", "leadConverted", "Title", "Industry", "NumberOfEmployees", "Owner")
EDITABLE = ("Title", "Industry", "NumberOfEmployees")
# nightly data fixes that touch system_modstamp but not last_modified_date
_SYSTEM_JOBS = (date(2025, 1, 18), date(2025, 7, 19), date(2026, 5, 16))

_UPGRADE = {
    "担当": "課長",
    "主任": "課長",
    "係長": "部長",
    "課長": "部長",
    "部長": "本部長",
    "学生": "担当",
    "Manager": "Director",
    "Engineer": "Manager",
}


def _upgrade_table() -> np.ndarray:
    """Title code -> the title sales corrects it to (a prefixed 営業部 担当 becomes 課長)."""
    table = np.arange(len(TITLES))
    for i, label in enumerate(TITLES):
        base = label.split(" ")[-1]
        if base in _UPGRADE:
            table[i] = TITLES.index(_UPGRADE[base])
    return table


@dataclass
class LeadEvents:
    """Per-lead instants (NULL = never) beyond those in Funnel, plus edit values."""

    edit_field: np.ndarray  # index into EDITABLE, NULL when never edited
    t_edit: np.ndarray
    edit_title: np.ndarray
    edit_industry: np.ndarray
    edit_employees: np.ndarray
    t_owner_change: np.ndarray
    new_owner: np.ndarray
    t_system: np.ndarray
    t_deleted: np.ndarray  # set by deltas.py
    master: np.ndarray  # surviving lead of a merge, NULL


def draw_events(
    rng: np.random.Generator, leads: Leads, funnel: Funnel, stop: np.ndarray, successor: np.ndarray
) -> LeadEvents:
    """Edits by sales, owner hand-overs when a rep stops, and system-only modstamp bumps."""
    n = leads.size
    edited = rng.random(n) < np.where(funnel.contacted, 0.09, 0.015)
    field = np.where(edited, rng.choice(3, n, p=[0.5, 0.25, 0.25]), NULL)
    t_edit = np.where(
        funnel.contacted,
        funnel.t_contact + rng.integers(0, 20 * DAY, n),
        leads.created + rng.integers(DAY, 60 * DAY, n),
    )
    title = np.where(leads.title == NULL, TITLES.index("部長"), _upgrade_table()[np.maximum(leads.title, 0)])
    field = np.where((field == 0) & (title == leads.title), 2, field)  # nothing to correct: fix the head count
    other = (leads.industry + 1 + rng.integers(0, len(INDUSTRIES) - 1, n)) % len(INDUSTRIES)
    industry = np.where(leads.industry == NULL, rng.integers(0, 3, n), other)
    employees = np.where(
        leads.employees == NULL,
        np.round(800 * np.exp(rng.standard_normal(n))),
        np.round(leads.employees * np.exp(rng.normal(0.4, 0.5, n))),
    ).astype(np.int64)

    owner_stop = stop[leads.owner]
    closed_by = np.minimum(
        np.where(funnel.t_convert == NULL, np.iinfo(np.int64).max, funnel.t_convert),
        np.where(funnel.t_disqualify == NULL, np.iinfo(np.int64).max, funnel.t_disqualify),
    )
    handed_over = (owner_stop != NULL) & (leads.created < owner_stop) & (closed_by > owner_stop)
    jobs = instant(np.array([day_number(d) for d in _SYSTEM_JOBS]), np.full(len(_SYSTEM_JOBS), 2 * 3600))
    job = jobs[rng.integers(0, jobs.size, n)]
    return LeadEvents(
        edit_field=field,
        t_edit=np.where(edited, t_edit, NULL),
        edit_title=title,
        edit_industry=industry,
        edit_employees=np.maximum(employees, 1),
        t_owner_change=np.where(handed_over, owner_stop, NULL),
        new_owner=successor[leads.owner],
        t_system=np.where((rng.random(n) < 0.03) & (job > leads.created), job, NULL),
        t_deleted=np.full(n, NULL, dtype=np.int64),
        master=np.full(n, NULL, dtype=np.int64),
    )


def _by(t: np.ndarray, as_of: np.ndarray) -> np.ndarray:
    return (t != NULL) & (t <= as_of)


def status_at(funnel: Funnel, rows: np.ndarray, as_of: np.ndarray) -> np.ndarray:
    return np.select(
        [
            _by(funnel.t_convert[rows], as_of),
            _by(funnel.t_disqualify[rows], as_of),
            _by(funnel.t_need_status[rows], as_of),
            _by(funnel.t_contact[rows], as_of),
        ],
        [CONVERTED, DISQUALIFIED, NEED, WORKING],
        OPEN,
    )


def values_at(leads: Leads, events: LeadEvents, rows: np.ndarray, as_of: np.ndarray):
    """Title, industry and head count of `rows` as the CRM shows them at `as_of`."""
    edited = _by(events.t_edit[rows], as_of)
    field = events.edit_field[rows]
    title = np.where(edited & (field == 0), events.edit_title[rows], leads.title[rows])
    industry = np.where(edited & (field == 1), events.edit_industry[rows], leads.industry[rows])
    employees = np.where(edited & (field == 2), events.edit_employees[rows], leads.employees[rows])
    return title, industry, employees


def last_change(
    leads: Leads, funnel: Funnel, events: LeadEvents, rows: np.ndarray, as_of: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(last_modified_date, system_modstamp) of `rows` at `as_of`."""
    changes = [leads.created[rows]]
    for t in (
        funnel.t_contact,
        funnel.t_need_status,
        funnel.t_convert,
        funnel.t_disqualify,
        events.t_edit,
        events.t_owner_change,
        events.t_deleted,
    ):
        changes.append(np.where(_by(t[rows], as_of), t[rows], NULL))
    modified = np.max(changes, axis=0)
    return modified, np.maximum(modified, np.where(_by(events.t_system[rows], as_of), events.t_system[rows], NULL))


def lead_frame(
    leads: Leads, funnel: Funnel, events: LeadEvents, links: dict[str, np.ndarray], rows: np.ndarray, as_of: np.ndarray
) -> Frame:
    """Lead `rows` at per-row instants `as_of`; `links` maps lead -> converted account/contact/opportunity."""
    modified, system = last_change(leads, funnel, events, rows, as_of)
    converted = _by(funnel.t_convert[rows], as_of)
    owner = np.where(_by(events.t_owner_change[rows], as_of), events.new_owner[rows], leads.owner[rows])
    title, industry, employees = values_at(leads, events, rows, as_of)
    deleted = _by(events.t_deleted[rows], as_of)

    def link(name: str, prefix: str) -> Ids:
        target = links[name][rows]
        return Ids(prefix, np.where(converted & (target != NULL), target + 1, NULL))

    return {
        "id": Ids(LEAD, rows + 1),
        "created_date": leads.created[rows],
        "system_modstamp": system,
        "last_modified_date": modified,
        "is_deleted": deleted,
        "owner_id": Ids(USER, owner + 1),
        "status": Codes(STATUSES, status_at(funnel, rows, as_of)),
        "lead_source": Codes(LEAD_SOURCES, leads.source[rows]),
        "company": Codes(COMPANIES, leads.company[rows]),
        "title": Codes(TITLES, title),
        "industry": Codes(INDUSTRIES, industry),
        "number_of_employees": employees,
        "annual_revenue": leads.revenue[rows],
        "country_code": Codes(COUNTRIES, leads.country[rows]),
        "rating": Codes(RATINGS, leads.rating[rows]),
        "is_converted": converted,
        "converted_date": np.where(converted, local_day(funnel.t_convert[rows]), NULL),
        "converted_account_id": link("account", "001"),
        "converted_contact_id": link("contact", "003"),
        "converted_opportunity_id": link("opportunity", "006"),
        "master_record_id": Ids(LEAD, np.where(deleted & (events.master[rows] != NULL), events.master[rows] + 1, NULL)),
    }


def history_rows(leads: Leads, funnel: Funnel, events: LeadEvents, until: int) -> tuple[np.ndarray, ...]:
    """All LeadHistory rows up to `until`, sorted by time: (lead, field, created, old code, new code).

    Old and new values are codes into one label list: statuses, titles, industries,
    the head counts that occur, and the ids of reps involved in hand-overs.
    """
    numbers = np.unique(np.concatenate([leads.employees[leads.employees > 0], events.edit_employees]))
    owners = np.unique(np.concatenate([leads.owner, events.new_owner]))
    offset = {"status": 0, "title": len(STATUSES), "industry": len(STATUSES) + len(TITLES)}
    offset["number"] = offset["industry"] + len(INDUSTRIES)
    offset["owner"] = offset["number"] + numbers.size
    blocks: list[tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]] = []

    def add(rows: np.ndarray, field: str, at: np.ndarray, old: np.ndarray, new: np.ndarray) -> None:
        blocks.append((rows, FIELDS.index(field), at, old, new))

    def when(t: np.ndarray) -> np.ndarray:
        return np.flatnonzero((t != NULL) & (t <= until))

    def code(kind: str, values: np.ndarray) -> np.ndarray:
        return np.where(values == NULL, NULL, offset[kind] + values)

    created = np.flatnonzero(leads.created <= until)
    nothing = np.full(created.size, NULL)
    add(created, "created", leads.created[created], nothing, nothing)
    for t, new in (
        (funnel.t_contact, WORKING),
        (funnel.t_need_status, NEED),
        (funnel.t_convert, CONVERTED),
        (funnel.t_disqualify, DISQUALIFIED),
    ):
        rows = when(t)
        add(rows, "Status", t[rows], status_at(funnel, rows, t[rows] - 1), np.full(rows.size, new))
    rows = when(funnel.t_convert)
    add(rows, "leadConverted", funnel.t_convert[rows], np.full(rows.size, NULL), np.full(rows.size, NULL))
    for k, (name, before, after, kind) in enumerate(
        (
            ("Title", leads.title, events.edit_title, "title"),
            ("Industry", leads.industry, events.edit_industry, "industry"),
            (
                "NumberOfEmployees",
                np.where(leads.employees > 0, np.searchsorted(numbers, leads.employees), NULL),
                np.searchsorted(numbers, events.edit_employees),
                "number",
            ),
        )
    ):
        rows = when(np.where(events.edit_field == k, events.t_edit, NULL))
        add(rows, name, events.t_edit[rows], code(kind, before[rows]), code(kind, after[rows]))
    rows = when(events.t_owner_change)
    add(
        rows,
        "Owner",
        events.t_owner_change[rows],
        code("owner", np.searchsorted(owners, leads.owner[rows])),
        code("owner", np.searchsorted(owners, events.new_owner[rows])),
    )

    lead = np.concatenate([b[0] for b in blocks])
    field = np.concatenate([np.full(b[0].size, b[1]) for b in blocks])
    at = np.concatenate([b[2] for b in blocks])
    order = np.lexsort((field, lead, at))
    labels = STATUSES + TITLES + INDUSTRIES + tuple(numbers.astype(str)) + tuple(ids_text(USER, owners + 1).to_pylist())
    old = np.concatenate([b[3] for b in blocks])[order]
    new = np.concatenate([b[4] for b in blocks])[order]
    return lead[order], field[order], at[order], Codes(labels, old), Codes(labels, new)


def history_frame(
    lead: np.ndarray, field: np.ndarray, created: np.ndarray, old: Codes, new: Codes, first_id: int
) -> Frame:
    n = lead.size
    return {
        "id": Ids(LEAD_HISTORY, first_id + np.arange(n)),
        "created_date": created,
        "system_modstamp": created,
        "last_modified_date": created,
        "is_deleted": np.zeros(n, dtype=bool),
        "lead_id": Ids(LEAD, lead + 1),
        "field": Codes(FIELDS, field),
        "old_value": old,
        "new_value": new,
    }
