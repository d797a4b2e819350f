"""The marketing calendar, and how many leads each campaign brings in on each day.

Lead volume is driven by campaigns, as it is in a real B2B company: an always-on web
form and ads with a mild trend and season, webinars and seminars with registrations
ramping up to the event, trade shows whose scanned badges are imported over the days
after the show. In autumn 2025 marketing pushes volume (a doubled trade show, a
white-paper lead-gen ad and a list-based online summit): weekly volume roughly triples
for six weeks while the share of quality leads collapses. Summer 2025 stays quiet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from orchestration.demo_data.frame import Codes, Frame, Ids, text
from orchestration.demo_data.jp_calendar import NULL, BusinessClock, day_number, instant, to_date, weekday

CAMPAIGN = "701"

VOLUME_PUSH = (date(2025, 10, 13), date(2025, 11, 23))  # six ISO weeks, Monday to Sunday
QUIET_PERIOD = (date(2025, 6, 2), date(2025, 8, 31))

TYPES = ("Trade Show", "Seminar", "Webinar", "Web Form", "Advertisement", "Referral")
# Aligned with TYPES; "Outbound" (no campaign type) marks leads inside sales sourced itself (roles.py).
LEAD_SOURCES = ("Trade Show", "Seminar", "Webinar", "Web", "Advertisement", "Partner Referral", "Outbound")
STATUSES = ("Planned", "In Progress", "Completed")
# Lead profiles: what kind of people a campaign brings in (see leads.py).
PROFILES = ("inbound", "warm", "event", "push")

_SEASON = np.array([0.9, 1.05, 1.0, 1.0, 0.9, 1.0, 1.0, 1.0, 1.05, 1.1, 1.1, 0.9])  # Jan..Dec
_WEBINAR_TOPICS = (
    "SFA活用入門",
    "インサイドセールス立ち上げ講座",
    "営業データ分析の基本",
    "MA×SFA連携実践",
    "リード育成のコツ",
    "商談化率を上げるヒアリング術",
)
_SEMINAR_TOPICS = (
    "製造業向けDXセミナー",
    "金融業界向け営業改革セミナー",
    "情報システム部門向けDXセミナー",
    "経営者向け営業DXセミナー",
)
_SEMINAR_VENUES = ("ベルサール八重洲", "グランフロント大阪", "JPタワー名古屋", "TKP品川カンファレンスセンター")


@dataclass
class Campaign:
    name: str
    type: str
    start: int  # day numbers
    end: int
    budget: float
    profile: str = "inbound"
    leads: float = 0.0  # expected volume in base-days (one base-day = an average day's leads)
    lead_days: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    lead_weights: np.ndarray = field(default_factory=lambda: np.zeros(0))
    office_hours: bool = False  # leads created by an import during office hours, not a web form
    venue: str | None = None
    parent: int = NULL
    created_offset: int = 30  # days before the first lead or the start


@dataclass(frozen=True)
class LeadCells:
    """Expected leads per (campaign, day): the generator draws exact counts from these."""

    campaign: np.ndarray
    day: np.ndarray
    expected: np.ndarray


@dataclass(frozen=True)
class CampaignPlan:
    campaigns: list[Campaign]
    cells: LeadCells
    type_code: np.ndarray  # per campaign, index into TYPES
    profile_code: np.ndarray  # per campaign, index into PROFILES
    office_hours: np.ndarray
    start: np.ndarray
    created: np.ndarray  # instants


def _base(days: np.ndarray, first_day: int) -> np.ndarray:
    """Company growth (+15% a year) times the Japanese B2B season."""
    months = days.astype("M8[D]").astype("M8[M]").astype(np.int64) % 12
    return 1.15 ** ((days - first_day) / 365.0) * _SEASON[months]


def _nth_weekday(year: int, month: int, wd: int, n: int) -> int:
    first = day_number(date(year, month, 1))
    return first + (wd - int(weekday(first))) % 7 + 7 * (n - 1)


def _weekday_on_or_after(d: date, wd: int) -> int:
    n = day_number(d)
    return n + (wd - int(weekday(n))) % 7


def _always_on(
    name: str,
    ctype: str,
    first: int,
    last: int,
    share: float,
    budget: float,
    clock: BusinessClock,
    first_day: int,
    business_only: bool,
) -> Campaign:
    days = np.arange(first, last + 1)
    is_business = np.isin(days, clock.days)
    weights = _base(days, first_day) * np.where(is_business, 1.0, 0.0 if business_only else 0.3)
    return Campaign(
        name,
        ctype,
        first,
        last,
        budget,
        profile="warm" if ctype == "Referral" else "inbound",
        leads=share * _base(days, first_day).sum(),
        lead_days=days,
        lead_weights=weights,
        office_hours=business_only,
        created_offset=14,
    )


def _registrations(
    c: Campaign, event: int, lead_days: int, share_days: float, first_day: int, clock: BusinessClock
) -> Campaign:
    """Registrations before an event, rising towards it (more on weekdays)."""
    days = np.arange(event - lead_days, event + 1)
    ramp = 1.0 + 3.0 * (days - days[0]) / lead_days
    c.lead_days = days
    c.lead_weights = ramp * np.where(np.isin(days, clock.days), 1.0, 0.3)
    c.leads = share_days * _base(np.array([event]), first_day)[0]
    return c


def _show(
    c: Campaign, import_days: int, share_days: float, first_day: int, clock: BusinessClock, flat: bool = False
) -> Campaign:
    """Badge scans imported in batches over the business days after the show."""
    first = clock.index_on_or_after(np.array([c.end + 1]))[0]
    c.lead_days = clock.day_at(np.arange(first, first + import_days))
    c.lead_weights = np.ones(import_days) if flat else np.linspace(3.0, 0.5, import_days)
    c.leads = share_days * _base(np.array([c.start]), first_day)[0]
    c.office_hours = True
    return c


def plan_campaigns(rng: np.random.Generator, first_day: int, last_day: int, clock: BusinessClock) -> CampaignPlan:
    """All campaigns that bring leads in [first_day, last_day] (last_day = the delta day)."""
    out: list[Campaign] = []
    y0, y1 = to_date(first_day).year - 1, to_date(last_day).year
    push_first, push_last = day_number(VOLUME_PUSH[0]), day_number(VOLUME_PUSH[1])
    push_parent = NULL
    for fy in range(y0, y1 + 1):
        first, last = day_number(date(fy, 4, 1)), day_number(date(fy + 1, 3, 31))
        out.append(
            _always_on(
                f"Webサイト 資料請求 FY{fy}",
                "Web Form",
                first,
                last,
                0.28,
                round(rng.uniform(1.5e6, 3e6), -4),
                clock,
                first_day,
                False,
            )
        )
        out.append(
            _always_on(
                f"パートナー紹介プログラム FY{fy}",
                "Referral",
                first,
                last,
                0.08,
                round(rng.uniform(2e6, 4e6), -4),
                clock,
                first_day,
                True,
            )
        )
        for q, (m0, m1) in enumerate(((4, 6), (7, 9), (10, 12), (1, 3))):
            year = fy if q < 3 else fy + 1
            q_first = day_number(date(year, m0, 1))
            q_last = day_number(date(year + (m1 == 12), 1 if m1 == 12 else m1 + 1, 1)) - 1
            out.append(
                _always_on(
                    f"リスティング広告 {year}年{m0}-{m1}月",
                    "Advertisement",
                    q_first,
                    q_last,
                    0.17,
                    round(rng.uniform(3e6, 6e6), -4),
                    clock,
                    first_day,
                    False,
                )
            )
    for year in range(y0, y1 + 1):
        for month in range(1, 13):
            for k, nth in enumerate((2, 4)):
                event = _nth_weekday(year, month, 2, nth)
                topic = _WEBINAR_TOPICS[(year * 12 + month * 2 + k) % len(_WEBINAR_TOPICS)]
                c = Campaign(
                    f"ウェビナー：{topic} {year}年{month}月",
                    "Webinar",
                    event,
                    event,
                    round(rng.uniform(1e5, 5e5), -4),
                    venue="オンライン",
                )
                out.append(_registrations(c, event, 21, 0.20 * 365 / 24, first_day, clock))
            event = _nth_weekday(year, month, 3, 3)
            topic = _SEMINAR_TOPICS[(year * 12 + month) % len(_SEMINAR_TOPICS)]
            c = Campaign(
                f"{topic} {year}年{month}月",
                "Seminar",
                event,
                event,
                round(rng.uniform(5e5, 1.5e6), -4),
                profile="warm",
                venue=_SEMINAR_VENUES[month % len(_SEMINAR_VENUES)],
            )
            out.append(_registrations(c, event, 28, 0.12 * 365 / 12, first_day, clock))
        for name, month, day, venue in (
            ("営業DX EXPO {y}", 2, 4, "東京ビッグサイト"),
            ("Japan IT Week 春 {y}", 5, 13, "東京ビッグサイト"),
            ("DX推進展 {y}秋", 10, 6, "幕張メッセ"),
        ):
            show = _weekday_on_or_after(date(year, month, day), 2)
            c = Campaign(
                name.format(y=year),
                "Trade Show",
                show,
                show + 2,
                round(rng.uniform(3e6, 8e6), -4),
                profile="event",
                venue=venue,
                created_offset=90,
            )
            if push_first - 10 <= show <= push_last:
                if push_parent == NULL:
                    push_parent = len(out)
                    out.append(
                        Campaign(
                            f"FY{year}下期 リード獲得強化キャンペーン",
                            "Advertisement",
                            push_first,
                            push_last,
                            np.nan,
                            profile="push",
                            created_offset=45,
                        )
                    )
                c.profile, c.budget, c.parent = "push", 1.5e7, push_parent
                out.append(_show(c, 15, 0.15 * 365 / 3 + 15, first_day, clock, flat=True))
            else:
                out.append(_show(c, 8, 0.15 * 365 / 3, first_day, clock))
    if push_parent != NULL:
        year = VOLUME_PUSH[0].year
        days = np.arange(push_first, push_last + 1)
        out.append(
            Campaign(
                f"ホワイトペーパー配信 リード獲得 {year}秋",
                "Advertisement",
                push_first,
                push_last,
                8e6,
                profile="push",
                leads=0.5 * _base(days, first_day).sum(),
                lead_days=days,
                lead_weights=np.where(np.isin(days, clock.days), 1.0, 0.3),
                parent=push_parent,
            )
        )
        summit = push_last - 4  # the Wednesday of the last push week
        c = Campaign(
            f"営業DXサミット {year} オンライン",
            "Webinar",
            summit,
            summit,
            2e6,
            profile="push",
            venue="オンライン",
            parent=push_parent,
        )
        out.append(_registrations(c, summit, 24, 20.0, first_day, clock))
    return _with_cells(_bringing_leads(out, first_day, last_day), first_day, last_day)


def _bringing_leads(campaigns: list[Campaign], first_day: int, last_day: int) -> list[Campaign]:
    """Campaigns with leads in the period, plus the parents of those; parent indexes renumbered."""
    brings = [
        c.lead_days.size > 0 and c.lead_days.max() >= first_day and c.lead_days.min() <= last_day for c in campaigns
    ]
    parents = {c.parent for c, b in zip(campaigns, brings, strict=True) if b and c.parent != NULL}
    kept = [i for i, b in enumerate(brings) if b or i in parents]
    renumber = {old: new for new, old in enumerate(kept)}
    out = [campaigns[i] for i in kept]
    for c in out:
        if c.parent != NULL:
            c.parent = renumber[c.parent]
    return out


def _with_cells(campaigns: list[Campaign], first_day: int, last_day: int) -> CampaignPlan:
    cell_c, cell_d, cell_x = [], [], []
    for i, c in enumerate(campaigns):
        if not c.lead_days.size:
            continue
        inside = (c.lead_days >= first_day) & (c.lead_days <= last_day)
        expected = c.leads * c.lead_weights / c.lead_weights.sum()
        cell_c.append(np.full(inside.sum(), i))
        cell_d.append(c.lead_days[inside])
        cell_x.append(expected[inside])
    first_lead = np.array([c.lead_days.min() if c.lead_days.size else c.start for c in campaigns])
    created_day = np.minimum(first_lead, np.array([c.start for c in campaigns])) - np.array(
        [c.created_offset for c in campaigns]
    )
    return CampaignPlan(
        campaigns=campaigns,
        cells=LeadCells(np.concatenate(cell_c), np.concatenate(cell_d), np.concatenate(cell_x)),
        type_code=np.array([TYPES.index(c.type) for c in campaigns]),
        profile_code=np.array([PROFILES.index(c.profile) for c in campaigns]),
        office_hours=np.array([c.office_hours for c in campaigns]),
        start=np.array([c.start for c in campaigns]),
        created=instant(created_day, np.full(len(campaigns), 10 * 3600)),
    )


def campaign_frame(plan: CampaignPlan, rng: np.random.Generator, cutoff: int, cutoff_day: int) -> Frame:
    """Campaigns as the Japanese Salesforce export shows them at `cutoff` (Planned / In Progress / Completed)."""
    cs = plan.campaigns
    keep = np.flatnonzero(plan.created <= cutoff)
    start = plan.start
    end = np.array([c.end for c in cs])
    status = np.where(start > cutoff_day, 0, np.where(end < cutoff_day, 2, 1))
    budget = np.array([c.budget for c in cs], dtype=float)
    actual = np.where(status == 2, np.round(budget * rng.uniform(0.85, 1.1, len(cs)), -4), np.nan)
    closed = instant(end + 7, np.full(len(cs), 11 * 3600))
    modstamp = np.where((status == 2) & (closed <= cutoff), closed, plan.created + 3 * 86400)
    modstamp = np.minimum(np.maximum(modstamp, plan.created), cutoff)
    description = [
        f"会場: {c.venue}\n小間番号: {chr(65 + i % 6)}-{10 + i % 40}"
        if c.type == "Trade Show"
        else (f"会場: {c.venue}" if c.venue else None)
        for i, c in enumerate(cs)
    ]
    return {
        "id": Ids(CAMPAIGN, keep + 1),
        "created_date": plan.created[keep],
        "system_modstamp": modstamp[keep],
        "last_modified_date": modstamp[keep],
        "is_deleted": np.zeros(keep.size, dtype=bool),
        "name": text([cs[i].name for i in keep]),
        "type": Codes(TYPES, plan.type_code[keep]),
        "status": Codes(STATUSES, status[keep]),
        "start_date": start[keep],
        "end_date": end[keep],
        "budgeted_cost": budget[keep],
        "actual_cost": actual[keep],
        "parent_id": Ids(
            CAMPAIGN, np.array([cs[i].parent + 1 if cs[i].parent != NULL else NULL for i in keep], dtype=np.int64)
        ),
        "description": text([description[i] for i in keep]),
        "venue_c": text([cs[i].venue for i in keep]),
    }
