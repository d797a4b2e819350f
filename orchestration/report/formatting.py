"""How figures read on the page: the same text in every section and in both languages,
so a person (and the browser test) can find a mart's value on the page verbatim."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from typing import Any

import pandas as pd

from orchestration.report.labels import Labels


def _missing(value: Any) -> bool:
    """A null however it is spelt: None, NaN, pandas' NA or NaT."""
    return value is None or bool(pd.isna(value))


def count(value: Any) -> str:
    """1,234 — a count (or a target, rounded to whole units)."""
    return "—" if _missing(value) else f"{float(value):,.0f}"


def rate(value: Any) -> str:
    """12.3% — a rate shipped by a mart as a fraction; a null rate (zero denominator) is a dash."""
    return "—" if _missing(value) else f"{float(value) * 100:.1f}%"


def change(value: Any) -> str:
    """+50.0% — a relative change or a change in rate points, signed."""
    return "—" if _missing(value) else f"{float(value) * 100:+.1f}%"


def yen(value: Any) -> str:
    """¥12,345,678 — an amount in JPY."""
    return "—" if _missing(value) else f"¥{float(value):,.0f}"


def number(value: Any, unit: str) -> str:
    """A benchmark value in its seed unit: a fraction as a rate, calls/items/days with one decimal."""
    if unit == "fraction":
        return rate(value)
    return "—" if _missing(value) else f"{float(value):,.1f}"


def band(lower: Any, upper: Any, unit: str) -> str:
    """15.0% – 20.0%, ≥ 15.0% or ≤ 90.0 — a benchmark band; an empty bound is open."""
    if _missing(lower) and _missing(upper):
        return "—"
    if _missing(lower):
        return f"≤ {number(upper, unit)}"
    if _missing(upper):
        return f"≥ {number(lower, unit)}"
    return f"{number(lower, unit)} – {number(upper, unit)}"


def target(value: Any, kpi: str) -> str:
    """A pacing figure in its KPI's unit: JPY for amounts, a whole count otherwise."""
    return yen(value) if kpi.endswith("amount") else count(value)


def day(value: date | datetime | None) -> str:
    """2026-09-30 — a date (pandas gives DATE columns as timestamps at midnight)."""
    return "—" if _missing(value) else value.strftime("%Y-%m-%d")


def timestamp(value: str | datetime | None, zone: tzinfo) -> str:
    """2026-11-26 15:15 JST — an instant to the minute, in the reporting time zone.
    Instants without a zone are UTC (raw timestamps are UTC)."""
    if _missing(value):
        return "—"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


@dataclass(frozen=True)
class Periods:
    """Months and fiscal periods named in one language: 2026年9月, 2026年度 3Q, 2026年度 上期
    (Sep 2026, FY2026 Q3, FY2026 H1). A fiscal year starts on the first of
    `fiscal_year_start_month` and is named by the calendar year it starts in (年度), as
    the marts' fiscal periods are."""

    t: Labels
    fiscal_year_start_month: int

    def _fiscal(self, value: date) -> tuple[int, int]:
        """(fiscal year, months since it started)."""
        months = (value.month - self.fiscal_year_start_month) % 12
        return value.year - (value.month < self.fiscal_year_start_month), months

    def month(self, value: date | None) -> str:
        if _missing(value):
            return "—"
        return self.t["month"].format(year=value.year, month=value.month, month_name=self.t.month_name(value.month))

    def fiscal_year(self, value: date | None) -> str:
        return "—" if _missing(value) else self.t["fiscal_year"].format(year=self._fiscal(value)[0])

    def fiscal_half(self, value: date | None) -> str:
        if _missing(value):
            return "—"
        year, months = self._fiscal(value)
        return self.t["fiscal_half"].format(year=year, half=self.t[f"half_{months // 6 + 1}"])

    def fiscal_quarter(self, value: date | None) -> str:
        if _missing(value):
            return "—"
        year, months = self._fiscal(value)
        return self.t["fiscal_quarter"].format(year=year, quarter=months // 3 + 1)

    def period(self, start: date | None, grain: str) -> str:
        """The period that starts on `start`, named for its grain (a mart's period_grain)."""
        named = {
            "month": self.month,
            "fiscal_quarter": self.fiscal_quarter,
            "fiscal_half": self.fiscal_half,
            "fiscal_year": self.fiscal_year,
        }
        if grain in named:
            return named[grain](start)
        if grain == "week" and not _missing(start):
            return self.t["week_of"].format(date=day(start))
        return day(start)


FILTERS = {
    "count": count,
    "rate": rate,
    "change": change,
    "yen": yen,
    "number": number,
    "band": band,
    "target": target,
    "day": day,
    "timestamp": timestamp,
}
