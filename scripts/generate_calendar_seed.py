"""Generate the public calendar seed (seeds/business_calendar.csv).

One row per date: whether it is a weekend and, when it is a public holiday, its name.
Public holidays come from the `holidays` package (Japan by default, Japanese names).
Company holidays (the year-end break, お盆, a founding day) are not here: they live in
seeds/company_holidays.csv, which the data team edits by hand, and dim_dates combines
both into is_business_day, its one definition.

The CSV is committed; rerun this script after upgrading `holidays` or changing the
range, and commit the result (tests/test_calendar_seed.py checks that the committed
file equals a fresh run with the defaults).

    python scripts/generate_calendar_seed.py
    python scripts/generate_calendar_seed.py --start 2020-01-01 --end 2030-12-31 --out /tmp/calendar.csv
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

COLUMNS = ["calendar_date", "is_weekend", "is_public_holiday", "public_holiday_name"]


def calendar_rows(
    start: dt.date,
    end: dt.date,
    *,
    country: str = DEFAULT_COUNTRY,
    language: str = DEFAULT_LANGUAGE,
) -> list[dict[str, str]]:
    """Rows of the calendar seed, as the strings written to the CSV."""
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    public = holidays.country_holidays(country, years=range(start.year, end.year + 1), language=language)
    rows = []
    day = start
    while day <= end:
        name = public.get(day)
        rows.append(
            {
                "calendar_date": day.isoformat(),
                "is_weekend": _bool(day.weekday() >= 5),
                "is_public_holiday": _bool(name is not None),
                "public_holiday_name": name or "",
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
        description="Write the public calendar seed: one row per date with "
        "is_weekend, is_public_holiday and public_holiday_name (company holidays: seeds/company_holidays.csv).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--start", type=_date, default=DEFAULT_START, help="first date")
    parser.add_argument("--end", type=_date, default=DEFAULT_END, help="last date")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="CSV file to write")
    parser.add_argument(
        "--country", default=DEFAULT_COUNTRY, help="country code for public holidays (holidays package)"
    )
    parser.add_argument("--language", default=DEFAULT_LANGUAGE, help="language of holiday names, e.g. ja or en_US")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        rows = calendar_rows(args.start, args.end, country=args.country, language=args.language)
    except (ValueError, NotImplementedError) as error:
        parser.error(str(error))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render_csv(rows), encoding="utf-8", newline="")
    holidays_written = sum(row["is_public_holiday"] == "true" for row in rows)
    print(f"wrote {len(rows)} dates ({holidays_written} public holidays) to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
