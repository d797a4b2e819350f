"""Field sales: accounts and contacts from conversions, opportunities and their stage history.

Each opportunity walks the standard Salesforce stage picklist, skipping some stages as
real reps do, and is lost at any stage (a good part of them before a proposal) or won.
The whole path is simulated; a file shows the state at its cut-off, so opportunities
still open at the snapshot simply have not reached their close yet. About 10% of
opportunities come from existing customers (no lead), and ~10% have no stage history,
so the warehouse must fall back to the current stage.

Besides stage moves the path holds what a pipeline review looks at: a planned close date
pushed out or pulled in before the proposal, the real close date set at the proposal,
the quoted amount revised before the close, and a deal moved back a stage and forward
again (a regression), and a few deals marked lost and reopened days later. Every
opportunity version and OpportunityHistory row is the state of the path at one instant
(`state_at`), so the two always agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo_data.campaigns import CAMPAIGN, LEAD_SOURCES
from orchestration.demo_data.company import R_FS_ENT, R_FS_MID, USER, Roster, pick_working
from orchestration.demo_data.frame import Codes, Frame, Ids
from orchestration.demo_data.funnel import Funnel
from orchestration.demo_data.history import LeadEvents, values_at
from orchestration.demo_data.jp_calendar import NULL, BusinessClock, instant, local_day, office_seconds
from orchestration.demo_data.leads import COMPANIES, COUNTRIES, INDUSTRIES, TITLES, Leads

ACCOUNT, CONTACT, OPPORTUNITY, OPPORTUNITY_HISTORY = "001", "003", "006", "008"

STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
)
PROPOSAL, WON, LOST = 6, 8, 9
PROBABILITY = np.array([10, 10, 20, 50, 60, 70, 75, 90, 100, 0], dtype=float)
FORECAST = ("Pipeline", "Best Case", "Commit", "Closed", "Omitted")
FORECAST_OF_STAGE = np.array([0, 0, 0, 0, 0, 0, 1, 2, 3, 4])
OPPORTUNITY_SOURCES = (*LEAD_SOURCES, "Existing Customer")
OPPORTUNITY_TYPES = ("New Business", "Existing Business")
ACCOUNT_TYPES = ("Prospect", "Customer")
CONTACT_DEPARTMENTS = ("営業部", "情報システム部", "経営企画部", "総務部", "マーケティング部")
_LOST_AT = np.array([0.2, 0.17, 0.14, 0.11, 0.09, 0.07, 0.12, 0.10])
ENTERPRISE_EMPLOYEES = 1000
REOPEN_SHARE = 0.04  # of the deals without a regression: marked lost, then reopened


@dataclass
class Accounts:
    """Existing customers first (created before the data starts), then one per converted lead."""

    created: np.ndarray
    owner: np.ndarray
    lead: np.ndarray  # NULL for existing customers
    company: np.ndarray
    industry: np.ndarray
    employees: np.ndarray
    revenue: np.ndarray
    country: np.ndarray
    source: np.ndarray
    t_customer: np.ndarray  # becomes a customer (first won deal), NULL if never
    contact_title: np.ndarray
    contact_department: np.ndarray


@dataclass
class Deals:
    lead: np.ndarray  # NULL for existing business
    account: np.ndarray
    owner: np.ndarray
    created: np.ndarray
    campaign: np.ndarray
    source: np.ndarray
    existing: np.ndarray
    existing_business: np.ndarray  # type Existing Business: `existing`, and leads from a customer (roles.py)
    entry: np.ndarray  # (n, 8) instant each open stage is entered, NULL if skipped
    close: np.ndarray
    won: np.ndarray
    amount_initial: np.ndarray
    amount: np.ndarray
    has_history: np.ndarray
    # Pipeline moves (NULL = none): back to stage `regress_to` from `regress_at` until
    # `return_at`; the planned close date moved by `close_moved_days` at `close_moved_at`;
    # `amount_quoted` from the proposal until `revised_at`, `amount` after; marked Closed
    # Lost at `lost_at` and back in its stage at `reopened_at`.
    regress_at: np.ndarray
    regress_to: np.ndarray
    return_at: np.ndarray
    close_moved_at: np.ndarray
    close_moved_days: np.ndarray
    revised_at: np.ndarray
    amount_quoted: np.ndarray
    lost_at: np.ndarray
    reopened_at: np.ndarray


def _segment(employees: np.ndarray) -> np.ndarray:
    return np.where(employees >= ENTERPRISE_EMPLOYEES, R_FS_ENT, R_FS_MID)


def build_accounts(
    rng: np.random.Generator, leads: Leads, funnel: Funnel, events: LeadEvents, roster: Roster, first_day: int
) -> Accounts:
    converted = np.flatnonzero(funnel.converted)
    converted = converted[np.argsort(funnel.t_convert[converted], kind="stable")]
    return accounts_of(rng, leads, funnel, events, roster, first_day, converted, max(20, round(leads.size * 0.012)))


def accounts_of(
    rng: np.random.Generator,
    leads: Leads,
    funnel: Funnel,
    events: LeadEvents,
    roster: Roster,
    first_day: int,
    converted: np.ndarray,
    n_existing: int,
) -> Accounts:
    """`n_existing` existing customers, then the accounts of the `converted` leads (in that order)."""
    title, industry, employees = values_at(leads, events, converted, funnel.t_convert[converted])

    e_created = instant(first_day - rng.integers(60, 3000, n_existing), office_seconds(rng, n_existing))
    e_employees = np.clip(np.round(500 * np.exp(1.4 * rng.standard_normal(n_existing))), 5, 200_000).astype(np.int64)
    e_industry = rng.choice(len(INDUSTRIES), n_existing, p=[0.25, 0.22, 0.1, 0.12, 0.08, 0.05, 0.03, 0.15])
    e_company = rng.integers(0, len(COMPANIES) - 50, n_existing)
    created = np.concatenate([e_created, funnel.t_convert[converted]])
    emp = np.concatenate([e_employees, employees])
    fs = roster.field_reps()
    owner = pick_working(
        rng, fs, roster.fs_days, np.maximum(local_day(created), first_day), roster.role[fs], _segment(emp)
    )
    department = np.where(rng.random(created.size) < 0.8, rng.integers(0, len(CONTACT_DEPARTMENTS), created.size), NULL)
    return Accounts(
        created=created,
        owner=owner,
        lead=np.concatenate([np.full(n_existing, NULL), converted]),
        company=np.concatenate([e_company, leads.company[converted]]),
        industry=np.concatenate([e_industry, industry]),
        employees=emp,
        revenue=np.concatenate([np.round(e_employees * 2.5e7, -6), leads.revenue[converted]]),
        country=np.concatenate([np.zeros(n_existing, dtype=np.int64), leads.country[converted]]),
        source=np.concatenate([rng.choice([0, 3, 5, NULL], n_existing), leads.source[converted]]),
        t_customer=np.concatenate([e_created, np.full(converted.size, NULL)]),
        contact_title=np.concatenate([rng.choice([3, 4, 7], n_existing), title]),
        contact_department=department,
    )


def build_deals(
    rng: np.random.Generator,
    leads: Leads,
    funnel: Funnel,
    accounts: Accounts,
    roster: Roster,
    clock: BusinessClock,
    first_day: int,
    last_day: int,
) -> Deals:
    """Opportunities from conversions plus ~10% existing business, each with its full stage path."""
    from_leads = np.flatnonzero(funnel.wants_opportunity)
    return deals_of(
        rng, leads, funnel, accounts, roster, clock, first_day, last_day, from_leads, round(from_leads.size / 9)
    )


def deals_of(
    rng: np.random.Generator,
    leads: Leads,
    funnel: Funnel,
    accounts: Accounts,
    roster: Roster,
    clock: BusinessClock,
    first_day: int,
    last_day: int,
    from_leads: np.ndarray,
    n_existing: int,
) -> Deals:
    """The deals of the `from_leads` conversions and `n_existing` existing customers' deals, by creation."""
    n_existing_accounts = int(np.argmax(np.append(accounts.lead, 0) != NULL))  # existing customers come first
    account_of_lead = np.full(leads.size, NULL)
    converted = np.flatnonzero(accounts.lead != NULL)
    account_of_lead[accounts.lead[converted]] = converted
    existing_days = clock.days[(clock.days >= first_day) & (clock.days <= last_day)]
    e_created = instant(rng.choice(existing_days, n_existing), office_seconds(rng, n_existing))
    e_account = rng.integers(0, n_existing_accounts, n_existing)

    lead = np.concatenate([from_leads, np.full(n_existing, NULL)])
    account = np.concatenate([account_of_lead[from_leads], e_account])
    created = np.concatenate([funnel.t_convert[from_leads], e_created])
    order = np.argsort(created, kind="stable")
    lead, account, created = lead[order], account[order], created[order]
    existing = lead == NULL
    n = lead.size
    safe_lead = np.maximum(lead, 0)
    won = np.where(existing, rng.random(n) < 0.55, funnel.wins[safe_lead])

    top = np.where(won, np.where(rng.random(n) < 0.85, 7, 6), rng.choice(8, n, p=_LOST_AT / _LOST_AT.sum()))
    stage = np.arange(8)
    draws = rng.random((n, 8))
    entered = (stage <= top[:, None]) & (
        (draws < 0.75) | (stage == top[:, None]) | ((stage == PROPOSAL) & (draws < 0.95))
    )
    entered[:, 0] = True
    gaps = np.where(entered, 2 + rng.poisson(np.where(existing, 3, 5)[:, None], (n, 8)), 0)
    gaps[:, 0] = 0
    start_bd = clock.index_on_or_after(local_day(created))
    stage_bd = start_bd[:, None] + np.cumsum(gaps, axis=1)
    entry = instant(clock.day_at(stage_bd), office_seconds(rng, n * 8).reshape(n, 8))
    entry[:, 0] = created
    entry = np.where(entered, entry, NULL)
    close_bd = stage_bd[:, -1] + 3 + rng.poisson(8, n)
    close = instant(clock.day_at(close_bd), office_seconds(rng, n))

    employees = np.where(accounts.employees[account] > 0, accounts.employees[account], 300)
    median = np.where(existing, 2.5e6, 4.5e6) * (employees / 300.0) ** 0.25
    amount = np.round(np.clip(median * np.exp(0.8 * rng.standard_normal(n)), 1e6, 5e7), -4)
    source = np.where(existing, np.where(rng.random(n) < 0.4, len(LEAD_SOURCES), NULL), leads.source[safe_lead])
    fs = roster.field_reps()
    owner = np.where(
        existing,
        pick_working(rng, fs, roster.fs_days, local_day(created), roster.role[fs], _segment(employees)),
        accounts.owner[account],
    )
    has_history = rng.random(n) >= 0.1
    moves = _pipeline_moves(rng, clock, entered, start_bd, stage_bd, close_bd, top, amount)
    amount_initial = np.round(amount * rng.uniform(0.8, 1.5, n), -4)
    reopens = _reopens(rng, clock, stage_bd[:, -1], close_bd, moves["regress_at"])
    return Deals(
        lead=lead,
        account=account,
        owner=owner,
        created=created,
        campaign=np.where(existing, NULL, leads.campaign[safe_lead]),
        source=source,
        existing=existing,
        existing_business=existing.copy(),
        entry=entry,
        close=close,
        won=won,
        amount_initial=amount_initial,
        amount=amount,
        has_history=has_history,
        **moves,
        **reopens,
    )


def _instants(
    rng: np.random.Generator, clock: BusinessClock, business_day: np.ndarray, happens: np.ndarray
) -> np.ndarray:
    """An office-hours instant on each business day where `happens`, else NULL."""
    return np.where(happens, instant(clock.day_at(business_day), office_seconds(rng, happens.size)), NULL)


def _between(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """A business-day index in [low, high] (low <= high where used)."""
    return low + (rng.random(low.size) * (np.maximum(high - low, 0) + 1)).astype(np.int64)


def _pipeline_moves(
    rng: np.random.Generator,
    clock: BusinessClock,
    entered: np.ndarray,
    start_bd: np.ndarray,
    stage_bd: np.ndarray,
    close_bd: np.ndarray,
    top: np.ndarray,
    amount: np.ndarray,
) -> dict[str, np.ndarray]:
    """Regressions, planned close dates moved, amounts revised: drawn after the stage path,
    so the rest of the data is the same with or without them."""
    n = top.size
    stage = np.arange(8)
    top_bd = stage_bd[:, -1]  # the last stage entered before the close
    previous = np.where(entered & (stage < top[:, None]), stage, -1).max(axis=1)
    regress = (rng.random(n) < 0.12) & (previous >= 0)
    regress_bd = _between(rng, top_bd + 1, close_bd - 2)
    return_bd = _between(rng, regress_bd + 1, close_bd - 1)
    # The real close date is known from the first stage at or past the proposal (else the close).
    known_bd = np.where(entered[:, PROPOSAL:], stage_bd[:, PROPOSAL:], np.iinfo(np.int64).max).min(axis=1)
    known_bd = np.minimum(known_bd, close_bd)
    moved = (rng.random(n) < 0.25) & (known_bd - start_bd >= 2)
    moved_bd = _between(rng, start_bd + 1, known_bd - 1)
    revised = (rng.random(n) < 0.2) & (close_bd - known_bd >= 2)
    revised_bd = _between(rng, known_bd + 1, close_bd - 1)
    return {
        "regress_at": _instants(rng, clock, regress_bd, regress),
        "regress_to": np.where(regress, previous, NULL),
        "return_at": _instants(rng, clock, return_bd, regress),
        "close_moved_at": _instants(rng, clock, moved_bd, moved),
        "close_moved_days": np.where(moved, rng.choice([-30, 30, 45, 60], n), 0),
        "revised_at": _instants(rng, clock, revised_bd, revised),
        "amount_quoted": np.where(revised, np.round(amount * rng.uniform(0.8, 1.3, n), -4), amount),
    }


def _reopens(
    rng: np.random.Generator, clock: BusinessClock, top_bd: np.ndarray, close_bd: np.ndarray, regress_at: np.ndarray
) -> dict[str, np.ndarray]:
    """A few deals marked Closed Lost after their last stage and reopened into it days
    before their real close (never one that also regresses: one detour per deal). Drawn
    last, so every other field of the deals is the same draw for draw."""
    reopen = (rng.random(top_bd.size) < REOPEN_SHARE) & (regress_at == NULL) & (close_bd - top_bd >= 4)
    lost_bd = _between(rng, top_bd + 1, close_bd - 3)
    reopened_bd = _between(rng, lost_bd + 1, close_bd - 1)
    return {
        "lost_at": _instants(rng, clock, lost_bd, reopen),
        "reopened_at": _instants(rng, clock, reopened_bd, reopen),
    }


def customer_since(accounts: Accounts, deals: Deals) -> np.ndarray:
    """An account becomes a customer at its first won deal (existing customers already are)."""
    t = np.where(accounts.t_customer == NULL, np.iinfo(np.int64).max, accounts.t_customer)
    np.minimum.at(t, deals.account[deals.won], deals.close[deals.won])
    return np.where(t == np.iinfo(np.int64).max, NULL, t)


def changed_deals(deals: Deals, low: int, high: int) -> np.ndarray:
    """Opportunities whose version as of `high` was written in (low, high]."""
    rows = np.flatnonzero(deals.created <= high)
    since = state_at(deals, rows, np.full(rows.size, high))["since"]
    return rows[since > low]


def _change_instants(deals: Deals) -> np.ndarray:
    """(n, 15) every instant an opportunity changes (NULL where it does not): each open
    stage entered, the close, a regression and its return, a planned close moved, an amount
    revised, a loss and its reopening."""
    return np.concatenate(
        [
            deals.entry,
            deals.close[:, None],
            deals.regress_at[:, None],
            deals.return_at[:, None],
            deals.close_moved_at[:, None],
            deals.revised_at[:, None],
            deals.lost_at[:, None],
            deals.reopened_at[:, None],
        ],
        axis=1,
    )


def state_at(deals: Deals, rows: np.ndarray, at: np.ndarray) -> dict[str, np.ndarray]:
    """Stage, amount, close date and the instant of the last change of opportunity `rows` at instants `at`."""
    entry = deals.entry[rows]
    reached = np.where((entry != NULL) & (entry <= at[:, None]), np.arange(8), -1).max(axis=1)
    regress_at, return_at = deals.regress_at[rows], deals.return_at[rows]
    stage = np.where((regress_at != NULL) & (regress_at <= at) & (at < return_at), deals.regress_to[rows], reached)
    lost_at = deals.lost_at[rows]
    lost_for_now = (lost_at != NULL) & (lost_at <= at) & (at < deals.reopened_at[rows])
    stage = np.where(lost_for_now, LOST, stage)
    closed = deals.close[rows] <= at
    stage = np.where(closed, np.where(deals.won[rows], WON, LOST), stage)
    quoted = reached >= PROPOSAL
    revised = (deals.revised_at[rows] != NULL) & (deals.revised_at[rows] <= at)
    amount = np.where(
        quoted, np.where(revised, deals.amount[rows], deals.amount_quoted[rows]), deals.amount_initial[rows]
    )
    # The rep's expected close: 90 days out (moved once for some) until a proposal, then the real date.
    moved = (deals.close_moved_at[rows] != NULL) & (deals.close_moved_at[rows] <= at)
    planned = local_day(deals.created[rows]) + 90 + np.where(moved, deals.close_moved_days[rows], 0)
    changes = _change_instants(deals)[rows]
    since = np.where((changes != NULL) & (changes <= at[:, None]), changes, NULL).max(axis=1)
    return {
        "stage": stage,
        "amount": amount,
        "close_date": np.where(
            lost_for_now, local_day(lost_at), np.where(quoted | closed, local_day(deals.close[rows]), planned)
        ),
        "since": since,
    }


def _versioned(deals: Deals, rows: np.ndarray, at: np.ndarray) -> Frame:
    """The tracked fields of opportunity `rows` at instants `at`, as both objects name them."""
    state = state_at(deals, rows, at)
    stage, amount = state["stage"], state["amount"]
    return {
        "stage_name": Codes(STAGES, stage),
        "amount": amount,
        "close_date": state["close_date"],
        "probability": PROBABILITY[stage],
        "forecast_category": Codes(FORECAST, FORECAST_OF_STAGE[stage]),
        "expected_revenue": amount * PROBABILITY[stage] / 100,
        "since": state["since"],
    }


def opportunity_frame(deals: Deals, rows: np.ndarray, as_of: int) -> Frame:
    state = _versioned(deals, rows, np.full(rows.size, as_of))
    stage = state["stage_name"].values
    n = rows.size
    return {
        "id": Ids(OPPORTUNITY, rows + 1),
        "created_date": deals.created[rows],
        "system_modstamp": state["since"],
        "last_modified_date": state["since"],
        "is_deleted": np.zeros(n, dtype=bool),
        "account_id": Ids(ACCOUNT, deals.account[rows] + 1),
        "owner_id": Ids(USER, deals.owner[rows] + 1),
        "campaign_id": Ids(CAMPAIGN, np.where(deals.campaign[rows] != NULL, deals.campaign[rows] + 1, NULL)),
        "type": Codes(OPPORTUNITY_TYPES, deals.existing_business[rows].astype(np.int64)),
        "lead_source": Codes(OPPORTUNITY_SOURCES, deals.source[rows]),
        "stage_name": state["stage_name"],
        "is_closed": stage >= WON,
        "is_won": stage == WON,
        "amount": state["amount"],
        "probability": state["probability"],
        "forecast_category_name": state["forecast_category"],
        "close_date": state["close_date"],
        "currency_iso_code": Codes(("JPY",), np.zeros(n, dtype=np.int64)),
    }


def history_frame(deals: Deals, low: int, high: int) -> Frame:
    """OpportunityHistory rows created in (low, high], one per change of the path, ids continuing from low's rows."""
    changes = _change_instants(deals)
    opp, kind = np.nonzero((changes != NULL) & deals.has_history[:, None])
    at = changes[opp, kind]
    order = np.lexsort((kind, opp, at))
    opp, at = opp[order], at[order]
    first_id = int((at <= low).sum()) + 1
    keep = (at > low) & (at <= high)
    opp, at = opp[keep], at[keep]
    n = opp.size
    state = _versioned(deals, opp, at)
    del state["since"]
    return {
        "id": Ids(OPPORTUNITY_HISTORY, first_id + np.arange(n)),
        "created_date": at,
        "system_modstamp": at,
        "last_modified_date": at,
        "is_deleted": np.zeros(n, dtype=bool),
        "opportunity_id": Ids(OPPORTUNITY, opp + 1),
        **state,
    }


def account_frame(accounts: Accounts, low: int, high: int) -> Frame:
    """Accounts whose current version (as of `high`) was written in (low, high]."""
    became = (accounts.t_customer != NULL) & (accounts.t_customer <= high)
    modstamp = np.where(became, np.maximum(accounts.t_customer, accounts.created), accounts.created)
    rows = np.flatnonzero((accounts.created <= high) & (modstamp > low))
    return {
        "id": Ids(ACCOUNT, rows + 1),
        "created_date": accounts.created[rows],
        "system_modstamp": modstamp[rows],
        "last_modified_date": modstamp[rows],
        "is_deleted": np.zeros(rows.size, dtype=bool),
        "name": Codes(COMPANIES, accounts.company[rows]),
        "owner_id": Ids(USER, accounts.owner[rows] + 1),
        "type": Codes(ACCOUNT_TYPES, became[rows].astype(np.int64)),
        "industry": Codes(INDUSTRIES, accounts.industry[rows]),
        "number_of_employees": accounts.employees[rows],
        "annual_revenue": accounts.revenue[rows],
        "billing_country_code": Codes(COUNTRIES, accounts.country[rows]),
        "account_source": Codes(OPPORTUNITY_SOURCES, accounts.source[rows]),
    }


def contact_frame(accounts: Accounts, low: int, high: int) -> Frame:
    """One contact per account (the converted person, or the existing customer's main contact)."""
    rows = np.flatnonzero((accounts.created > low) & (accounts.created <= high))
    return {
        "id": Ids(CONTACT, rows + 1),
        "created_date": accounts.created[rows],
        "system_modstamp": accounts.created[rows],
        "last_modified_date": accounts.created[rows],
        "is_deleted": np.zeros(rows.size, dtype=bool),
        "account_id": Ids(ACCOUNT, rows + 1),
        "owner_id": Ids(USER, accounts.owner[rows] + 1),
        "lead_source": Codes(OPPORTUNITY_SOURCES, accounts.source[rows]),
        "title": Codes(TITLES, accounts.contact_title[rows]),
        "department": Codes(CONTACT_DEPARTMENTS, accounts.contact_department[rows]),
    }
