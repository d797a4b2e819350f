"""Plausibility rules at the door: a typed value no real record holds is quarantined with
its file, row, column and reason, so one odd row never fails a dbt test or constraint and
blocks every refresh after it. The rules are declared once in the contract; `row_rules()`
lists them for the documentation."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from pathlib import Path

import duckdb
import pytest
from ingest_fixtures import NOW, assert_balanced
from run_dbt_cli import run_dbt

from orchestration import config, contract
from orchestration.ingest import ingest_landing

with (config.SEEDS_DIR / "business_calendar.csv").open(encoding="utf-8") as _calendar:
    FIRST_DAY = min(date.fromisoformat(row["calendar_date"]) for row in csv.DictReader(_calendar))
NUMBER_TYPES = (contract.INTEGER, contract.DOUBLE)
TIME_TYPES = (contract.DATE, contract.TIMESTAMP)


def _text(column: contract.Column, value: date | datetime | float) -> str:
    if column.type == contract.INTEGER:
        return str(int(value))
    if column.type == contract.DATE:
        return (value.date() if isinstance(value, datetime) else value).isoformat()
    return value.isoformat() if isinstance(value, datetime) else repr(value)


def _ends(column: contract.Column) -> tuple[date | datetime | float | None, date | datetime | float | None]:
    """The lowest and highest plausible value of a column, from the contract's declaration."""
    bounds = column.bounds
    if not bounds.is_time:
        return bounds.low, bounds.high
    earliest = FIRST_DAY if bounds.in_calendar else contract.EARLIEST_PLAUSIBLE
    latest = NOW + bounds.ahead
    if column.type == contract.DATE:
        return earliest, latest.date()
    return datetime.combine(earliest, time()), latest


def _step(column: contract.Column) -> timedelta | int:
    return {contract.DATE: timedelta(days=1), contract.TIMESTAMP: timedelta(seconds=1)}.get(column.type, 1)


def _file(obj: contract.CrmObject, rows: list[dict[str, str]]) -> str:
    """A CSV of the object with every column; text columns get a placeholder value."""
    filler = {c.name: f"{c.name}-x" for c in obj.columns if c.type == contract.TEXT}
    out = io.StringIO()
    writer = csv.DictWriter(out, obj.column_names, lineterminator="\n")
    writer.writeheader()
    for i, row in enumerate(rows, 1):
        writer.writerow({**filler, "id": f"{obj.name}-{i}", **row})
    return out.getvalue()


def test_every_date_timestamp_and_number_has_a_rule():
    unruled = [
        f"{obj.name}.{c.name}"
        for obj in contract.OBJECTS.values()
        for c in obj.columns
        if c.type in NUMBER_TYPES + TIME_TYPES and c.bounds is None
    ]
    assert unruled == []


@pytest.mark.parametrize("obj", contract.OBJECTS.values(), ids=lambda o: o.name)
def test_every_rule_applied_is_the_one_the_rule_table_lists(sandbox, obj):
    """Each bounded column just outside each end of its rule, then at each end; and,
    where the table lists no upper end, a huge value. What is quarantined must be
    exactly what `row_rules()` (the documentation's table) says, column by column."""
    bounded = [c for c in obj.columns if c.bounds is not None]
    listed = {(r.column, r.rule) for r in contract.row_rules() if r.object == obj.name}
    assert listed == {(c.name, c.bounds.describe()) for c in bounded}

    below = {c.name: _text(c, _ends(c)[0] - _step(c)) for c in bounded}
    above = {c.name: _text(c, (_ends(c)[1] or 1e17) + (_step(c) if _ends(c)[1] is not None else 0)) for c in bounded}
    at_low = {c.name: _text(c, _ends(c)[0]) for c in bounded}
    at_high = {c.name: _text(c, _ends(c)[1]) for c in bounded if _ends(c)[1] is not None}
    # created_date is required: keep it plausible where another column is under test
    sandbox.write(f"{obj.name}/{obj.name}_1.csv", _file(obj, [below, above, at_low, at_high]))
    sandbox.ingest()

    quarantined = {row: set(columns.split(", ")) for _, row, columns, _ in sandbox.quarantine()}
    with_upper_end = {c.name for c in bounded if _ends(c)[1] is not None}
    assert quarantined == {1: {c.name for c in bounded}, 2: with_upper_end}
    assert sandbox.rows(f'SELECT _source_row FROM raw."{obj.name}" ORDER BY 1') == [(3,), (4,)]


def test_reasons_name_the_value_and_the_bound(sandbox):
    sandbox.write(
        "opportunity/opportunity_1.csv",
        "Id,CreatedDate,OwnerId,StageName,Amount,Probability,CloseDate\n"
        "006A,2014-12-31T23:59:59Z,005A,Closed Won,-1e9,101,2028-04-02\n"
        "006B,1999-12-31,005A,Prospecting,1e16,-0.5,1999-12-31\n",
    )
    sandbox.ingest()
    calendar = "the first day of the business calendar (seeds/business_calendar.csv)"
    assert sandbox.quarantine() == [
        (
            "opportunity/opportunity_1.csv",
            1,
            "created_date, amount, probability, close_date",
            f"created_date: '2014-12-31T23:59:59Z' is before {FIRST_DAY}, {calendar}; "
            "amount: '-1e9' is below 0; probability: '101' is above 100; "
            "close_date: '2028-04-02' is after 2028-04-01, 730 days after the load at 2026-04-02T09:00:00",
        ),
        (
            "opportunity/opportunity_1.csv",
            2,
            "created_date, amount, probability, close_date",
            f"created_date: '1999-12-31' is before {FIRST_DAY}, {calendar}; amount: '1e16' is above 1e+15; "
            f"probability: '-0.5' is below 0; close_date: '1999-12-31' is before {FIRST_DAY}, {calendar}",
        ),
    ]


def test_a_quarantined_new_version_leaves_the_previous_one_current(sandbox):
    """Latest wins among the versions that passed the door: the implausible version is
    not in raw, so the record keeps its last plausible version until a correction lands."""
    header = "Id,CreatedDate,SystemModstamp,OwnerId,StageName,Amount,CloseDate\n"
    sandbox.write(
        "opportunity/opportunity_1.csv", f"{header}006A,2026-01-05,2026-01-05,005A,Prospecting,100,2026-06-30\n"
    )
    sandbox.write(
        "opportunity/opportunity_2.csv", f"{header}006A,2026-01-05,2026-03-01,005A,Closed Won,100,9999-12-31\n"
    )
    sandbox.ingest()
    assert sandbox.quarantine() == [
        (
            "opportunity/opportunity_2.csv",
            1,
            "close_date",
            "close_date: '9999-12-31' is after 2028-04-01, 730 days after the load at 2026-04-02T09:00:00",
        )
    ]
    assert sandbox.rows("SELECT stage_name, close_date, _source_file FROM raw.opportunity") == [
        ("Prospecting", date(2026, 6, 30), "opportunity/opportunity_1.csv"),
    ]


# --- The examples of one odd row that blocked every refresh, on a small demo build -------

DEMO_LOAD_TIME = datetime(2026, 10, 2, 9)  # the morning after the demo's delta day
NEW_LEAD, GOOD_NEW_LEAD, RICH_LEAD = "00Q900000000000001", "00Q900000000000002", "00Q900000000000003"
LATER = "2026-10-01T12:00:00.000+0000"

# example -> (file, row, column, reason); the hostile files are written in this order.
EXAMPLES = {
    "lead created 1900-01-01": (
        "lead/lead_20261002_hostile.csv",
        1,
        "created_date",
        f"created_date: '1900-01-01T00:00:00.000+0000' is before {FIRST_DAY}, "
        "the first day of the business calendar (seeds/business_calendar.csv)",
    ),
    # found by trying hostile rows: quality rules read revenue as a 64-bit integer
    "lead with an annual revenue of 1e300 yen": (
        "lead/lead_20261002_hostile.csv",
        3,
        "annual_revenue",
        "annual_revenue: '1e300' is above 1e+15",
    ),
    "opportunity closing 9999-12-31": (
        "opportunity/opportunity_20261002_hostile.csv",
        1,
        "close_date",
        "close_date: '9999-12-31' is after 2028-10-01, 730 days after the load at 2026-10-02T09:00:00",
    ),
    "opportunity closing 1900-01-01": (
        "opportunity/opportunity_20261002_hostile.csv",
        2,
        "close_date",
        f"close_date: '1900-01-01' is before {FIRST_DAY}, the first day of the business calendar "
        "(seeds/business_calendar.csv)",
    ),
    "closed won opportunity of -1,000,000,000 yen": (
        "opportunity/opportunity_20261002_hostile.csv",
        3,
        "amount",
        "amount: '-1000000000' is below 0",
    ),
}


def _rows(path: Path) -> tuple[list[str], dict[str, list[str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    return header, {row[0]: row for row in rows}


def _write_version(header: list[str], rows: list[list[str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([header, *rows])


def _changed(header: list[str], row: list[str], **values: str) -> list[str]:
    changed = list(row)
    for name, value in values.items():
        changed[header.index(name)] = value
    return changed


def _hostile_files(landing: Path) -> list[dict[str, str]]:
    """The examples as a delta beside good rows: a new lead created in 1900, a good new
    lead and a new lead with an implausible revenue; later versions of two won and one lost
    opportunity with an implausible close date or amount, and plausible later versions of
    another lost one and of a won one closing before it was created. Returns the
    opportunities' versions that should be current after the load."""
    header, leads = _rows(next((landing / "lead").glob("*_full.csv")))
    template = leads["00Q000000000000001"]
    _write_version(
        header,
        [
            _changed(header, template, id=NEW_LEAD, created_date="1900-01-01T00:00:00.000+0000"),
            _changed(header, template, id=GOOD_NEW_LEAD, created_date="2026-09-30T01:00:00.000+0000"),
            _changed(header, template, id=RICH_LEAD, annual_revenue="1e300"),
        ],
        landing / "lead" / "lead_20261002_hostile.csv",
    )

    header, opportunities = _rows(next((landing / "opportunity").glob("*_full.csv")))
    stage = header.index("stage_name")
    won = [row for row in opportunities.values() if row[stage] == "Closed Won"]
    lost = [row for row in opportunities.values() if row[stage] == "Closed Lost"]
    later = {"system_modstamp": LATER, "last_modified_date": LATER}
    changed = [
        _changed(header, won[0], close_date="9999-12-31", **later),
        _changed(header, lost[0], close_date="1900-01-01", **later),
        _changed(header, won[1], amount="-1000000000", **later),
        _changed(header, lost[1], amount="1234000", **later),  # a plausible change, published
        # plausible too: entered after it closed; its sales cycle must not be negative
        _changed(header, won[2], close_date="2015-01-02", **later),
    ]
    _write_version(header, changed, landing / "opportunity" / "opportunity_20261002_hostile.csv")
    return [dict(zip(header, row, strict=True)) for row in (won[0], lost[0], won[1], changed[3], changed[4])]


class DemoBuild:
    def __init__(self, root: Path) -> None:
        from orchestration.demo_data import generate

        self.landing, self.warehouse = root / "landing", root / "fukan.duckdb"
        generate(self.landing, leads=300, seed=7, progress=False)
        self.current = _hostile_files(self.landing)
        self.ingest = ingest_landing(self.landing, self.warehouse, progress=False, now=DEMO_LOAD_TIME)
        assert_balanced(self.ingest, self.warehouse)
        self.dbt = run_dbt(
            ["build", "--exclude-resource-type", "unit_test"], self.warehouse, root / "target", check=False
        )

    def rows(self, sql: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def demo_build(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    return DemoBuild(tmp_path_factory.mktemp("row_rules"))


@pytest.mark.e2e
@pytest.mark.parametrize("example", EXAMPLES)
def test_the_odd_row_is_quarantined_with_file_row_column_and_reason(demo_build, example):
    source_file, row, column, reason = EXAMPLES[example]
    assert (source_file, row, column, reason) in demo_build.rows(
        "SELECT source_file, source_row, column_name, reason FROM ingest.quarantine"
    )


@pytest.mark.e2e
def test_the_build_ends_green_with_the_other_rows_published(demo_build):
    assert demo_build.dbt.returncode == 0, demo_build.dbt.stdout[-5000:]
    assert demo_build.ingest.failed == []
    assert [
        (f.source_file, f.rows_read, f.rows_loaded) for f in demo_build.ingest.files if "hostile" in f.source_file
    ] == [
        ("lead/lead_20261002_hostile.csv", 3, 1),
        ("opportunity/opportunity_20261002_hostile.csv", 5, 2),
    ]
    new_leads = f"'{NEW_LEAD}', '{GOOD_NEW_LEAD}', '{RICH_LEAD}'"
    assert demo_build.rows(f"SELECT lead_id FROM marts.fct_leads WHERE lead_id IN ({new_leads})") == [(GOOD_NEW_LEAD,)]


@pytest.mark.e2e
def test_a_quarantined_version_leaves_the_previous_version_current_in_the_marts(demo_build):
    """The last plausible version of each opportunity is the one the marts carry."""
    ids = ", ".join(f"'{row['id']}'" for row in demo_build.current)
    assert demo_build.rows(
        f"SELECT opportunity_id, cast(close_date AS VARCHAR), amount FROM marts.fct_opportunities "
        f"WHERE opportunity_id IN ({ids}) ORDER BY 1"
    ) == sorted((row["id"], row["close_date"], float(row["amount"])) for row in demo_build.current)


@pytest.mark.e2e
def test_a_deal_entered_after_it_closed_has_a_sales_cycle_of_zero_days(demo_build):
    """A close date before the creation date is plausible (a deal logged afterwards); the
    marts must not turn it into a negative cycle that fails their constraints."""
    entered_late = demo_build.current[4]["id"]
    assert demo_build.rows(
        f"SELECT cycle_days FROM marts.fct_opportunities WHERE opportunity_id = '{entered_late}'"
    ) == [(0,)]
