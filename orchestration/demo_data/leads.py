"""Leads as marketing creates them: when, from which campaign, and who they are.

Firmographics depend on the campaign's profile (a partner referral brings a 部長 at a
mid-size manufacturer more often than a white-paper download does), and quality is
scored with the default rules on these values as created. Later edits by sales live in
`history.py`; the funnel in `funnel.py` reads `quality` and `interest`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo_data.campaigns import LEAD_SOURCES, PROFILES, CampaignPlan
from orchestration.demo_data.company import Roster, pick_working
from orchestration.demo_data.jp_calendar import NULL, instant, office_seconds
from orchestration.demo_data.quality import QUALITY_THRESHOLD, quality_points

LEAD = "00Q"

INDUSTRIES = (
    "製造業",
    "情報通信業",
    "金融業・保険業",
    "卸売業・小売業",
    "建設業",
    "医療・福祉",
    "教育・学習支援業",
    "サービス業",
)
_BASE_TITLES = (
    "代表取締役",
    "取締役",
    "本部長",
    "部長",
    "課長",
    "係長",
    "主任",
    "担当",
    "学生",
    "Manager",
    "Director",
    "Engineer",
)
_DEPARTMENT_PREFIXES = ("営業部 ", "情報システム部 ", "経営企画部 ", "マーケティング部 ")
_PREFIXABLE = ("部長", "課長", "係長", "主任", "担当")
TITLES = _BASE_TITLES + tuple(p + t for p in _DEPARTMENT_PREFIXES for t in _PREFIXABLE)
COUNTRIES = ("JP", "US", "SG", "CN", "KR")
RATINGS = ("Hot", "Warm", "Cold")

# per profile (inbound, warm, event, push): probabilities of _BASE_TITLES[:11] then null
_TITLE_P = np.array(
    [
        [0.03, 0.04, 0.05, 0.13, 0.16, 0.09, 0.09, 0.25, 0.02, 0.02, 0.02, 0.10],
        [0.06, 0.07, 0.08, 0.18, 0.18, 0.08, 0.07, 0.15, 0.00, 0.03, 0.03, 0.07],
        [0.03, 0.04, 0.05, 0.12, 0.15, 0.09, 0.10, 0.27, 0.04, 0.02, 0.02, 0.07],
        [0.01, 0.01, 0.02, 0.05, 0.07, 0.06, 0.08, 0.42, 0.18, 0.01, 0.01, 0.08],
    ]
)
_INDUSTRY_P = np.array(
    [
        [0.23, 0.20, 0.08, 0.12, 0.08, 0.05, 0.04, 0.12, 0.08],
        [0.27, 0.22, 0.10, 0.10, 0.08, 0.04, 0.02, 0.11, 0.06],
        [0.23, 0.20, 0.08, 0.12, 0.08, 0.05, 0.04, 0.12, 0.08],
        [0.10, 0.12, 0.04, 0.14, 0.06, 0.07, 0.15, 0.20, 0.12],
    ]
)
_EMPLOYEES = {"inbound": (250, 1.5, 0.08), "warm": (600, 1.4, 0.06), "event": (300, 1.6, 0.07), "push": (40, 1.4, 0.15)}
_FORM_HOURS = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2, 3, 3.5, 3.5, 2.5, 3.5, 3.5, 3.2, 3, 2.6, 2.2, 2, 1.8, 1.6, 1.4, 1.1]
)

_NAME_STEMS = (
    "東洋",
    "日本",
    "大和",
    "富士",
    "中央",
    "北斗",
    "青葉",
    "さくら",
    "光",
    "三栄",
    "協和",
    "丸和",
    "新日本",
    "東邦",
    "関西",
    "北陸",
    "九州",
    "湘南",
    "みらい",
    "アオイ",
    "サンライズ",
    "グローバル",
    "ミナト",
    "ヤマト",
    "朝日",
    "明治",
    "昭和",
    "平和",
    "千代田",
    "瑞穂",
    "扶桑",
    "白鷺",
    "若葉",
    "日の出",
    "常盤",
    "大成",
    "共栄",
    "東亜",
    "相模",
    "浪速",
)
_NAME_CORES = (
    ("製作所", "工業", "精機", "電機", "化学", "金属"),
    ("システムズ", "テクノロジー", "ソフト", "ネットワークス", "情報サービス", "データ"),
    ("フィナンシャル", "証券", "リース", "損害保険", "信用金庫", "キャピタル"),
    ("商事", "物産", "トレーディング", "ストア", "産業", "通商"),
    ("建設", "工務店", "建工", "住建", "設備", "ハウス"),
    ("メディカル", "ケアサービス", "ヘルスケア", "薬品", "福祉会", "クリニック"),
    ("教育", "ラーニング", "学習社", "アカデミー", "スクール", "出版"),
    ("サービス", "コンサルティング", "ホールディングス", "企画", "エージェンシー", "ソリューションズ"),
)
_INTERNATIONAL = (
    "Pacific Systems Inc.",
    "Bayside Analytics LLC",
    "Summit Software Inc.",
    "Lion City Trading Pte. Ltd.",
    "Marina Tech Pte. Ltd.",
    "Shanghai Huaxin Co., Ltd.",
    "Shenzhen Lianke Technology Co., Ltd.",
    "Hanil Tech Co., Ltd.",
    "Seoul Data Solutions Inc.",
    "Redwood Manufacturing Corp.",
)
_FORMS = ("株式会社{}", "{}株式会社", "{}株式会社", "株式会社{}")
COMPANIES = (
    tuple(
        form.format(stem + core) for form in _FORMS for stem in _NAME_STEMS for cores in _NAME_CORES for core in cores
    )
    + tuple(f"{stem}大学" for stem in _NAME_STEMS)
    + _INTERNATIONAL
)


@dataclass
class Leads:
    """One entry per lead, sorted by creation (so ids grow with time, as in Salesforce)."""

    created: np.ndarray  # instants
    day: np.ndarray  # JST day of creation
    campaign: np.ndarray
    source: np.ndarray  # index into LEAD_SOURCES
    push: np.ndarray  # bool: brought in by the volume push
    industry: np.ndarray  # index into INDUSTRIES (as created), NULL
    employees: np.ndarray  # NULL when unknown
    revenue: np.ndarray  # JPY, NaN when unknown
    title: np.ndarray  # index into TITLES (as created), NULL
    company: np.ndarray  # index into COMPANIES
    country: np.ndarray
    rating: np.ndarray
    interest: np.ndarray  # latent, standard normal: drives rating and outcomes beyond the rules
    points: np.ndarray
    quality: np.ndarray
    owner: np.ndarray  # user index of the IS rep the lead was assigned to at creation

    @property
    def size(self) -> int:
        return self.created.size


def _categorical(rng: np.random.Generator, p: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Draw one category per row from the row's group's probabilities; the last category means null."""
    cumulative = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = rng.random(groups.size)
    out = (u[:, None] > cumulative[groups]).sum(axis=1)
    return np.where(out == p.shape[1] - 1, NULL, out)


def lead_counts(
    rng: np.random.Generator, plan: CampaignPlan, leads: int, end_day: int
) -> tuple[np.ndarray, np.ndarray]:
    """Exactly `leads` leads up to `end_day`, plus the delta day's leads at the same rate."""
    cells = plan.cells
    snap = cells.day <= end_day
    counts = np.zeros(cells.day.size, dtype=np.int64)
    counts[snap] = rng.multinomial(leads, cells.expected[snap] / cells.expected[snap].sum())
    later = ~snap
    if later.any():
        n_delta = round(leads * cells.expected[later].sum() / cells.expected[snap].sum())
        counts[later] = rng.multinomial(n_delta, cells.expected[later] / cells.expected[later].sum())
    return np.repeat(cells.campaign, counts), np.repeat(cells.day, counts)


def draw_leads(rng: np.random.Generator, plan: CampaignPlan, roster: Roster, leads: int, end_day: int) -> Leads:
    campaign, day = lead_counts(rng, plan, leads, end_day)
    n = campaign.size
    form_hour = rng.choice(24, size=n, p=_FORM_HOURS / _FORM_HOURS.sum())
    seconds = np.where(plan.office_hours[campaign], office_seconds(rng, n), form_hour * 3600 + rng.integers(0, 3600, n))
    created = instant(day, seconds)
    order = np.argsort(created, kind="stable")
    campaign, day, created = campaign[order], day[order], created[order]

    profile = plan.profile_code[campaign]
    country = _categorical(rng, np.array([[0.94, 0.02, 0.015, 0.015, 0.01, 0.0]]), np.zeros(n, dtype=np.int64))
    japan = country == 0
    title = _categorical(rng, _TITLE_P, profile)
    title = np.where(
        japan,
        title,
        _categorical(rng, np.array([[0, 0, 0, 0, 0, 0, 0, 0, 0, 0.35, 0.2, 0.2, 0.25]]), np.zeros(n, dtype=np.int64)),
    )
    prefixed = np.isin(title, [_BASE_TITLES.index(t) for t in _PREFIXABLE]) & (rng.random(n) < 0.3)
    prefix = rng.integers(0, len(_DEPARTMENT_PREFIXES), n)
    title = np.where(
        prefixed,
        len(_BASE_TITLES)
        + prefix * len(_PREFIXABLE)
        + np.searchsorted(np.array([_BASE_TITLES.index(t) for t in _PREFIXABLE]), title),
        title,
    )
    student = title == _BASE_TITLES.index("学生")

    industry = _categorical(rng, _INDUSTRY_P, profile)
    median, sigma, missing = (np.array([_EMPLOYEES[p][k] for p in PROFILES])[profile] for k in range(3))
    employees = np.clip(np.round(median * np.exp(sigma * rng.standard_normal(n))), 1, 300_000).astype(np.int64)
    employees = np.where((rng.random(n) < missing) | (student & (rng.random(n) < 0.7)), NULL, employees)
    revenue = np.round(employees * 2.5e7 * np.exp(0.5 * rng.standard_normal(n)), -6)
    revenue = np.where((employees == NULL) | (rng.random(n) < 0.3), np.nan, revenue)

    stems = len(_NAME_STEMS)
    per_form = stems * len(_NAME_CORES) * 6
    core = np.where(industry == NULL, 7, industry) * 6 + rng.integers(0, 6, n)
    company = rng.integers(0, len(_FORMS), n) * per_form + rng.integers(0, stems, n) * len(_NAME_CORES) * 6 + core
    company = np.where(student, len(_FORMS) * per_form + rng.integers(0, stems, n), company)
    company = np.where(japan, company, len(COMPANIES) - len(_INTERNATIONAL) + rng.integers(0, len(_INTERNATIONAL), n))

    source = plan.type_code[campaign]  # TYPES and LEAD_SOURCES are aligned
    points = quality_points(
        text={"industry": (industry, INDUSTRIES), "title": (title, TITLES), "lead_source": (source, LEAD_SOURCES)},
        numbers={"number_of_employees": employees},
    )
    interest = rng.standard_normal(n)
    rating = np.select([interest > 1.0, interest > -0.2], [0, 1], 2)
    rating = np.where(rng.random(n) < 0.2, NULL, rating)
    return Leads(
        created=created,
        day=day,
        campaign=campaign,
        source=source,
        push=profile == PROFILES.index("push"),
        industry=industry,
        employees=employees,
        revenue=revenue,
        title=title,
        company=company,
        country=country,
        rating=rating,
        interest=interest,
        points=points,
        quality=points >= QUALITY_THRESHOLD,
        owner=pick_working(rng, roster.inside_reps(), roster.is_days, day),
    )
