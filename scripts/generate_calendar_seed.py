"""Generate the business calendar seed (seeds/business_calendar.csv).

One row per date with weekend, holiday and business-day flags. Public holidays come
from the `holidays` package (Japan by default, Japanese names); on top of them the
company closure days (by default the year-end break, 31 December to 3 January, which
most Japanese companies take) are marked as holidays, because nobody calls or meets
customers then and business-day pacing must not expect work on those days.

The CSV is committed; rerun this script after upgrading `holidays` or changing the
range or closures, and commit the result (tests/test_calendar_seed.py checks that the
committed file equals a fresh run with the defaults).

    python scripts/generate_calendar_seed.py
    python scripts/generate_calendar_seed.py --start 2020-01-01 --end 2030-12-31 \\
        --company-closures "12-29,12-30,12-31,01-01,01-02,01-03" --out /tmp/calendar.csv
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
from pathlib import Path

import holidays

DEFAULT_START = dt.date(2015, 1, 1)
DEFAULT_END = dt.date(2035, 12, 31)
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "seeds" / "business_calendar.csv"
DEFAULT_COUNTRY = "JP"
DEFAULT_LANGUAGE = "ja"
# Year-end closure (年末年始休業): 31 Dec to 3 Jan, month-day pairs.
DEFAULT_COMPANY_CLOSURES = "12-31,01-01,01-02,01-03"
DEFAULT_CLOSURE_NAME = "年末年始休業"

COLUMNS = ["calendar_date", "is_weekend", "is_holiday", "holiday_name", "is_business_day"]


def parse_closures(text: str) -> list[tuple[int, int]]:
    """Parse 'MM-DD,MM-DD,...' into (month, day) pairs; an empty string means none."""
    closures: list[tuple[int, int]] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            month, day = (int(piece) for piece in item.split("-"))
            dt.date(2024, month, day)  # leap year, so 02-29 is accepted
        except ValueError as error:
            raise ValueError(f"--company-closures: {item!r} is not a month-day like '12-31' ({error})") from None
        closures.append((month, day))
    return closures


def calendar_rows(
    start: dt.date,
    end: dt.date,
    *,
    country: str = DEFAULT_COUNTRY,
    language: str = DEFAULT_LANGUAGE,
    company_closures: list[tuple[int, int]] | None = None,
    closure_name: str = DEFAULT_CLOSURE_NAME,
) -> list[dict[str, str]]:
    """Rows of the calendar seed, as the strings written to the CSV.

    A public holiday keeps its own name when it falls on a closure day (1 January is
    元日, not 年末年始休業); a closure day is a holiday whether or not it is a weekend.
    """
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    closures = set(company_closures if company_closures is not None else parse_closures(DEFAULT_COMPANY_CLOSURES))
    public = holidays.country_holidays(country, years=range(start.year, end.year + 1), language=language)
    rows = []
    day = start
    while day <= end:
        is_weekend = day.weekday() >= 5
        name = public.get(day)
        if name is None and (day.month, day.day) in closures:
            name = closure_name
        is_holiday = name is not None
        rows.append(
            {
                "calendar_date": day.isoformat(),
                "is_weekend": _bool(is_weekend),
                "is_holiday": _bool(is_holiday),
                "holiday_name": name or "",
                "is_business_day": _bool(not is_weekend and not is_holiday),
            }
        )
        day += dt.timedelta(days=1)
    return rows


def render_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-01-31") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Write the business calendar seed: one row per date with "
        "is_weekend, is_holiday, holiday_name and is_business_day.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--start", type=_date, default=DEFAULT_START, help="first date")
    parser.add_argument("--end", type=_date, default=DEFAULT_END, help="last date")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV file to write")
    parser.add_argument(
        "--country", default=DEFAULT_COUNTRY, help="country code for public holidays (holidays package)"
    )
    parser.add_argument("--language", default=DEFAULT_LANGUAGE, help="language of holiday names, e.g. ja or en_US")
    parser.add_argument(
        "--company-closures",
        default=DEFAULT_COMPANY_CLOSURES,
        help="comma-separated month-days (MM-DD) on which the company is closed every "
        "year; marked is_holiday=true with --closure-name. The default is the year-end "
        "break many Japanese companies take; pass '' for none",
    )
    parser.add_argument("--closure-name", default=DEFAULT_CLOSURE_NAME, help="holiday_name of company closure days")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        closures = parse_closures(args.company_closures)
        rows = calendar_rows(
            args.start,
            args.end,
            country=args.country,
            language=args.language,
            company_closures=closures,
            closure_name=args.closure_name,
        )
    except (ValueError, NotImplementedError) as error:
        parser.error(str(error))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render_csv(rows), encoding="utf-8", newline="")
    business_days = sum(row["is_business_day"] == "true" for row in rows)
    print(f"wrote {len(rows)} dates ({business_days} business days) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
