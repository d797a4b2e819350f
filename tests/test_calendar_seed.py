"""seeds/business_calendar.csv is what scripts/generate_calendar_seed.py makes: weekends
and Japanese public holidays, nothing else. Company holidays (the year-end break) are
seeds/company_holidays.csv, and dim_dates combines both (its unit tests)."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "generate_calendar_seed.py"
SEED = REPO / "seeds" / "business_calendar.csv"


def _load_script():
    spec = importlib.util.spec_from_file_location("generate_calendar_seed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _load_script()


@pytest.fixture(scope="module")
def seed_rows() -> dict[str, dict[str, str]]:
    with SEED.open(encoding="utf-8", newline="") as handle:
        return {row["calendar_date"]: row for row in csv.DictReader(handle)}


def test_committed_seed_equals_a_fresh_run(tmp_path):
    out = tmp_path / "business_calendar.csv"
    assert generator.main(["--out", str(out)]) == 0
    assert out.read_bytes() == SEED.read_bytes(), (
        "seeds/business_calendar.csv is stale: run python scripts/generate_calendar_seed.py and commit the result"
    )


def test_one_row_per_date_over_the_whole_range(seed_rows):
    dates = [dt.date.fromisoformat(day) for day in seed_rows]
    assert dates[0] == dt.date(2015, 1, 1) and dates[-1] == dt.date(2035, 12, 31)
    assert len(dates) == (dates[-1] - dates[0]).days + 1
    assert dates == sorted(dates)


@pytest.mark.parametrize(
    "day, name",
    [
        ("2025-05-05", "こどもの日"),
        ("2025-05-06", "振替休日"),  # substitute for Greenery Day (a Sunday)
        ("2025-02-24", "振替休日"),  # substitute for the Emperor's Birthday (Sunday)
        ("2026-09-21", "敬老の日"),  # Respect for the Aged Day
        ("2026-09-22", "国民の休日"),  # sandwiched between two holidays
        ("2026-09-23", "秋分の日"),
        ("2026-01-01", "元日"),
        ("2023-01-02", "振替休日"),
    ],
)
def test_public_holidays(seed_rows, day, name):
    row = seed_rows[day]
    assert (row["is_public_holiday"], row["public_holiday_name"]) == ("true", name)


@pytest.mark.parametrize(
    "day, weekend",
    [
        ("2025-12-29", "false"),  # a company holiday (company_holidays seed), not a public one
        ("2025-12-31", "false"),
        ("2026-01-02", "false"),
        ("2026-09-24", "false"),
        ("2026-09-26", "true"),  # Saturday
        ("2026-09-27", "true"),  # Sunday
    ],
)
def test_ordinary_days(seed_rows, day, weekend):
    row = seed_rows[day]
    assert (row["is_weekend"], row["is_public_holiday"], row["public_holiday_name"]) == (weekend, "false", "")


def test_flags_are_consistent(seed_rows):
    for day, row in seed_rows.items():
        weekday = dt.date.fromisoformat(day).weekday()
        assert row["is_weekend"] == ("true" if weekday >= 5 else "false"), day
        assert (row["is_public_holiday"] == "true") == bool(row["public_holiday_name"]), day


def test_weekday_public_holidays_in_fiscal_2025(seed_rows):
    weekday_holidays = sum(
        row["is_public_holiday"] == "true" and row["is_weekend"] == "false"
        for day, row in seed_rows.items()
        if "2025-04-01" <= day <= "2026-03-31"
    )
    assert weekday_holidays == 15


def test_other_language(tmp_path):
    out = tmp_path / "calendar.csv"
    generator.main(["--start", "2025-12-29", "--end", "2026-01-05", "--language", "en_US", "--out", str(out)])
    with out.open(encoding="utf-8", newline="") as handle:
        rows = {row["calendar_date"]: row for row in csv.DictReader(handle)}
    assert len(rows) == 8
    assert rows["2026-01-01"]["public_holiday_name"] == "New Year's Day"
    assert rows["2025-12-31"]["is_public_holiday"] == "false"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--start", "2025-02-30"], "not a date"),
        (["--start", "2026-01-01", "--end", "2025-01-01"], "before --start"),
    ],
)
def test_bad_options_explain_themselves(argv, message, capsys, tmp_path):
    with pytest.raises(SystemExit) as stop:
        generator.main([*argv, "--out", str(tmp_path / "x.csv")])
    assert stop.value.code == 2
    assert message in capsys.readouterr().err


def test_help_runs_as_a_script():
    result = subprocess.run([sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True)
    assert "--start" in result.stdout and "--out" in result.stdout
