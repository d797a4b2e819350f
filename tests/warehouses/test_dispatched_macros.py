"""The dispatched macros of macros/cross_database give the same, right values on every
engine, on the edge cases the demo data never reaches (a daylight-saving switch, a
case-insensitive pattern, full-width spaces, a value containing the list separator, a
tie and a null value for min_by)."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.warehouses


def _min_by_over(*rows: tuple[str, int, int]) -> str:
    """A Jinja expression: the SQL of fukan.min_by('v', ['t', 'i']) over the (v, t, i) rows."""
    (value, t, i), *others = rows
    given = f"select {value} as v, {t} as t, {i} as i"
    given += "".join(f" union all select {v}, {a}, {b}" for v, a, b in others)
    return f'"(select " ~ fukan.min_by("v", ["t", "i"]) ~ " from ({given}) as given_rows)"'


CASES = {
    "regexp_case_insensitive": ("fukan.regexp_search(\"'Sales DIRECTOR'\", \"'(?i)director'\")", True),
    "regexp_alternation_japanese": ("fukan.regexp_search(\"'営業部長'\", \"'本部長|部長|Director'\")", True),
    "regexp_anchor": ("fukan.regexp_search(\"'副課長'\", \"'^課長'\")", False),
    "regexp_null": ("fukan.regexp_search('cast(null as ' ~ dbt.type_string() ~ ')', \"'x'\")", None),
    "pipe_list_member": ("fukan.in_pipe_list(\"'Seminar'\", \"'Partner Referral|Seminar'\")", True),
    "pipe_list_prefix": ("fukan.in_pipe_list(\"'Semi'\", \"'Partner Referral|Seminar'\")", False),
    "pipe_list_separator": ("fukan.in_pipe_list(\"'Referral|Seminar'\", \"'Partner Referral|Seminar'\")", False),
    "tokyo_next_day": (
        "fukan.to_reporting_timestamp(\"cast('2026-03-31 15:00:00' as timestamp)\")",
        "2026-04-01T00:00:00",
    ),
    "berlin_after_dst": (
        "fukan.to_reporting_timestamp(\"cast('2026-03-29 01:30:00' as timestamp)\", 'Europe/Berlin')",
        "2026-03-29T03:30:00",
    ),
    "tokyo_date": ("fukan.to_reporting_date(\"cast('2026-03-31 14:59:59' as timestamp)\")", "2026-03-31"),
    "normalise_full_width": ("fukan.normalise_text(\"'　Connected '\")", "connected"),
    "hash_japanese": ("fukan.hash_text(\"'株式会社'\")", "684097d06f770774e3636aec08e5582f"),
    "divide_by_zero": ("fukan.safe_divide('1', '0')", None),
    "divide": ("fukan.safe_divide('1', '4')", 0.25),
    "empty_as_null": ("fukan.empty_as_null(\"''\")", None),
    "fiscal_year_march": ("fukan.fiscal_year(\"cast('2026-03-31' as date)\")", 2025),
    "fiscal_quarter_start": ("fukan.fiscal_quarter_start(\"cast('2026-03-31' as date)\")", "2026-01-01"),
    # An aggregate, so each case reads its own rows: a tie on the first ordering is
    # broken by the second, and a null value on the least row is returned, not skipped.
    "min_by_tie": (_min_by_over(("'late'", 2, 1), ("'tie_high'", 1, 3), ("'tie_low'", 1, 2)), "tie_low"),
    "min_by_null_value": (
        _min_by_over(("'later'", 1, 1), ('cast(null as " ~ dbt.type_string() ~ ")', 0, 9)),
        None,
    ),
}


def _show(reader) -> dict:
    select = ",\n    ".join(f"{{{{ {call} }}}} as {name}" for name, (call, _) in CASES.items())
    done = reader.dbt("show", "--quiet", "--output", "json", "--inline", f"select\n    {select}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (row,) = json.loads(done.stdout[done.stdout.index("{") :])["show"]
    return row


def test_dispatched_macros_give_the_expected_values(builds, any_engine):
    assert _show(builds[any_engine]) == {name: value for name, (_, value) in CASES.items()}
