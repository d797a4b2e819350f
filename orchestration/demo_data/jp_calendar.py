"""Japanese business calendar and office-hour clock for the simulation.

Days are integers (days since 1970-01-01, as the JST local date) and instants are int64
seconds since the epoch in UTC, so every step of the generator stays a numpy operation.

Holidays are computed from the rules of the current Japanese holiday law (fixed days,
Happy Monday days, the astronomical equinox approximation valid 1980-2099, substitute
holidays and the "citizen's holiday" between two holidays). The one-off moves of
2019-2021 (enthronement, Olympics) are not modelled; the year-end company break
(Dec 29 - Jan 3) is not a national holiday and is not skipped either. The calendar seed
the warehouse uses may differ on those days only.
"""

from __future__ import annotations

from datetime import date

import numpy as np

JST_OFFSET = 9 * 3600
DAY = 86400
NULL = -1  # sentinel for a missing day, instant or count in every int array

_FIXED = ((1, 1), (2, 11), (2, 23), (4, 29), (5, 3), (5, 4), (5, 5), (8, 11), (11, 3), (11, 23))
_HAPPY_MONDAYS = ((1, 2), (7, 3), (9, 3), (10, 2))  # (month, n-th Monday)


def day_number(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def to_date(day: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int(day))


def weekday(days: np.ndarray | int) -> np.ndarray | int:
    """Monday = 0 ... Sunday = 6 (1970-01-01 was a Thursday)."""
    return (np.asarray(days) + 3) % 7


def _nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    return date.fromordinal(first.toordinal() + (7 - first.weekday()) % 7 + 7 * (n - 1))


def _equinox_days(year: int) -> tuple[int, int]:
    leap_shift = (year - 1980) // 4
    spring = int(20.8431 + 0.242194 * (year - 1980)) - leap_shift
    autumn = int(23.2488 + 0.242194 * (year - 1980)) - leap_shift
    return spring, autumn


def japanese_holidays(first_year: int, last_year: int) -> np.ndarray:
    """Sorted day numbers of the national holidays in the given years."""
    days: set[int] = set()
    for year in range(first_year, last_year + 1):
        spring, autumn = _equinox_days(year)
        named = [date(year, m, d) for m, d in _FIXED]
        named += [_nth_monday(year, m, n) for m, n in _HAPPY_MONDAYS]
        named += [date(year, 3, spring), date(year, 9, autumn)]
        year_days = {day_number(d) for d in named}
        for d in sorted(year_days):
            if weekday(d) == 6:  # a Sunday holiday moves to the next non-holiday day
                substitute = d + 1
                while substitute in year_days:
                    substitute += 1
                year_days.add(substitute)
        sandwiched = {d + 1 for d in year_days if d + 2 in year_days and d + 1 not in year_days}
        year_days |= {d for d in sandwiched if weekday(d) != 6}
        days |= year_days
    return np.array(sorted(days), dtype=np.int64)


def business_days(first: int, last: int) -> np.ndarray:
    """Day numbers in [first, last] that are neither weekend nor national holiday."""
    days = np.arange(first, last + 1, dtype=np.int64)
    holidays = japanese_holidays(to_date(first).year, to_date(last).year)
    return days[(weekday(days) < 5) & ~np.isin(days, holidays)]


def office_seconds(rng: np.random.Generator, n: int) -> np.ndarray:
    """Seconds after local midnight for work done at a desk: 9:00-19:00 with a lunch dip."""
    weights = np.array([0.8, 1.0, 1.1, 0.5, 1.0, 1.1, 1.0, 0.9, 0.6, 0.25])
    hours = 9 + rng.choice(weights.size, size=n, p=weights / weights.sum())
    return hours * 3600 + rng.integers(0, 3600, size=n)


def instant(days: np.ndarray, seconds: np.ndarray) -> np.ndarray:
    """JST local day + seconds after local midnight -> UTC epoch seconds."""
    return np.asarray(days, dtype=np.int64) * DAY + seconds - JST_OFFSET


def local_day(instants: np.ndarray) -> np.ndarray:
    """UTC epoch seconds -> JST local day number."""
    return (np.asarray(instants, dtype=np.int64) + JST_OFFSET) // DAY


def local_seconds(instants: np.ndarray) -> np.ndarray:
    return (np.asarray(instants, dtype=np.int64) + JST_OFFSET) % DAY


class BusinessClock:
    """Moves instants along business days, so calls and meetings never land on a Sunday."""

    def __init__(self, first: int, last: int) -> None:
        self.days = business_days(first, last)

    def index_on_or_after(self, days: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.days, days, side="left")

    def day_at(self, index: np.ndarray) -> np.ndarray:
        return self.days[np.minimum(index, self.days.size - 1)]

    def count_between(self, first: int, last: int) -> int:
        """Business days in [first, last]."""
        return int(np.searchsorted(self.days, last, "right") - np.searchsorted(self.days, first, "left"))
