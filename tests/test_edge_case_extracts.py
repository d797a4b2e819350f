"""Unusual but acceptable extracts through the real refresh (`run_pipeline`): it ends green,
report included, the report agrees with its data and the pandas reference, and says
"no data" where the marts hold none.

Two extract sets, one refresh each:
- `bare`: one department, one lead, no activities, no opportunities, the optional objects
  empty (a header alone) or absent, and every optional column null in every row;
- `sparse`: a dozen leads in two months with a month between them that holds nothing, a
  few of every object, and in each object one row whose optional columns are all null
  beside rows that fill them, plus single nulls where a KPI reads the column (a won
  deal without an amount, a call without a disposition, a lead without modstamps, a
  meeting without an end).

Where a raw suite requires a share of a KPI field to be filled ("the export lost the
field" otherwise, a blocking check by design), the null rows stay within that share.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterRunStatus
from launch_paths import daemon_home, launch_like_the_daemon, wait_for_run
from pandas_reference import Reference
from report_fixtures import page_sections, sections_without_rows

from orchestration import contract
from orchestration.pipeline import run_pipeline
from orchestration.publish import read_manifest
from orchestration.publish.layout import DATABASE, REPORTS
from orchestration.report.labels import FUNNEL_STEPS, LANGUAGES, Labels

pytestmark = pytest.mark.e2e

SECTIONS = ("overview", "trends", "pacing", "benchmarks", "health")


def _at(day: str, hour: int = 1) -> str:
    """A UTC instant as Salesforce exports it (hour 1 UTC is 10:00 in Tokyo, the same day)."""
    return f"{day}T{hour:02d}:00:00.000+0000"


@dataclass
class Extracts:
    """Rows per CRM object, each written as one CSV with the contract's full header: a key
    left out is an empty cell. `[]` writes the header alone; an object not named is absent."""

    rows: dict[str, list[dict[str, object]]] = field(default_factory=dict)

    def add(self, obj: str, record_id: str, created: str, **values: object) -> str:
        """Add a record; its timestamps default to its creation, like a record never edited."""
        stamp = _at(created)
        row = {
            "id": record_id,
            "created_date": stamp,
            "system_modstamp": stamp,
            "last_modified_date": stamp,
            "is_deleted": "false",
            **values,
        }
        self.rows.setdefault(obj, []).append(row)
        return record_id

    def add_required_only(self, obj: str, record_id: str, created: str, **required: object) -> str:
        """A record with every optional column null (its required ones given)."""
        missing = set(contract.OBJECTS[obj].required_columns) - {"id", "created_date", *required}
        assert not missing, f"{obj} also requires {missing}"
        self.rows.setdefault(obj, []).append({"id": record_id, "created_date": _at(created), **required})
        return record_id

    def empty(self, *objects: str) -> None:
        for obj in objects:
            self.rows[obj] = []

    def write(self, landing: Path) -> None:
        for obj, rows in self.rows.items():
            columns = contract.OBJECTS[obj].column_names
            assert not {key for row in rows for key in row} - set(columns), f"{obj}: not a contract column"
            (landing / obj).mkdir(parents=True)
            with (landing / obj / f"{obj}_20250701_full.csv").open("w", encoding="utf-8", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=columns)
                writer.writeheader()
                writer.writerows(rows)


IS_USER = {
    "name": "佐藤 花子",
    "department": "Inside Sales",
    "title": "インサイドセールス",
    "is_active": "true",
    "time_zone_sid_key": "Asia/Tokyo",
}
# Scored by the quality rules (industry, size, title) and not.
QUALITY = {
    "lead_source": "Web",
    "industry": "製造業",
    "number_of_employees": 500,
    "title": "部長",
    "company": "株式会社テスト製作所",
    "country_code": "JP",
    "rating": "Hot",
}
GENERAL = {
    "lead_source": "Seminar",
    "industry": "サービス業",
    "number_of_employees": 20,
    "title": "担当",
    "company": "テスト商事株式会社",
    "country_code": "JP",
}


def bare() -> Extracts:
    """One inside-sales department, one lead, nothing else."""
    extracts = Extracts()
    extracts.add_required_only("user", "005B00000000000001", "2025-01-06", **IS_USER)
    extracts.add_required_only("user", "005B00000000000002", "2025-01-06", name="名前だけ")
    # The raw suite's fill rules need the KPI fields of the only lead; every other optional column is null.
    extracts.add_required_only(
        "lead",
        "00QB00000000000001",
        "2025-06-10",
        owner_id="005B00000000000001",
        status="Open - Not Contacted",
        **{key: GENERAL[key] for key in ("lead_source", "industry", "number_of_employees", "title")},
    )
    extracts.empty(
        "task", "event", "opportunity", "user_role", "contact", "campaign_member", "opportunity_history", "lead_history"
    )
    return extracts  # account and campaign absent


def _converted(opportunity: str, account: str, day: str, contact: str | None = None) -> dict[str, object]:
    return {
        "status": "Closed - Converted",
        "is_converted": "true",
        "converted_date": day,
        "converted_opportunity_id": opportunity,
        "converted_account_id": account,
        "converted_contact_id": contact,
    }


def sparse() -> Extracts:
    """April and June 2025, nothing in May; three departments and a user in none."""
    e = Extracts()
    e.add("user_role", "00EB00000000000001", "2025-01-06", name="インサイドセールス", developer_name="IS")
    e.add_required_only("user_role", "00EB00000000000002", "2025-01-06")
    inside = e.add("user", "005B00000000000001", "2025-01-06", user_role_id="00EB00000000000001", **IS_USER)
    field_rep = e.add(
        "user", "005B00000000000002", "2025-01-06", name="鈴木 一郎", department="Field Sales", is_active="true"
    )
    marketer = e.add("user", "005B00000000000003", "2025-01-06", name="高橋 美咲", department="Marketing")
    nobody = e.add_required_only("user", "005B00000000000004", "2025-01-06", name="名前だけ")
    account = e.add(
        "account",
        "001B00000000000001",
        "2025-01-10",
        name="株式会社テスト製作所",
        owner_id=field_rep,
        industry="製造業",
        number_of_employees=500,
        annual_revenue=1e9,
        billing_country_code="JP",
    )
    e.add_required_only("account", "001B00000000000002", "2025-01-10")
    contact = e.add("contact", "003B00000000000001", "2025-04-20", account_id=account, owner_id=field_rep, title="部長")
    e.add_required_only("contact", "003B00000000000002", "2025-04-20")
    campaign = e.add(
        "campaign",
        "701B00000000000001",
        "2025-03-01",
        name="春のセミナー",
        type="Seminar",
        status="Completed",
        start_date="2025-04-01",
        end_date="2025-04-05",
        budgeted_cost=500000,
        actual_cost=450000,
    )
    e.add_required_only("campaign", "701B00000000000002", "2025-03-01")

    april = [f"2025-04-{day:02d}" for day in (1, 2, 3, 7, 8, 9)]
    june = [f"2025-06-{day:02d}" for day in (2, 3, 4, 9, 10, 11)]
    leads = {
        "01": (april[0], QUALITY | _converted("006B00000000000001", account, "2025-04-10", contact)),
        "02": (april[1], QUALITY | _converted("006B00000000000002", account, "2025-04-11")),
        "03": (april[2], GENERAL | {"status": "Working - Contacted"}),
        "04": (april[3], GENERAL | {"status": "Open - Not Contacted"}),
        "06": (
            april[5],
            GENERAL | {"status": "Closed - Not Converted", "system_modstamp": None, "last_modified_date": None},
        ),
        "07": (june[0], QUALITY | _converted("006B00000000000003", account, "2025-06-12")),
        "08": (june[1], GENERAL | _converted("006B00000000000004", account, "2025-06-13")),
        "09": (june[2], GENERAL | {"status": "ニーズ確認済"}),
        "10": (june[3], QUALITY | {"status": "Open - Not Contacted"}),
        "11": (june[4], GENERAL | {"status": "Working - Contacted"}),
        "12": (june[5], GENERAL | {"status": "Open - Not Contacted"}),
    }
    for number, (day, values) in leads.items():
        e.add("lead", f"00QB000000000000{number}", day, owner_id=inside, **values)
    e.add_required_only("lead", "00QB00000000000005", april[4], owner_id=nobody, status="Open - Not Contacted")
    e.add(
        "campaign_member",
        "00vB00000000000001",
        "2025-04-02",
        campaign_id=campaign,
        lead_id="00QB00000000000001",
        status="Responded",
        has_responded="true",
        first_responded_date="2025-04-02",
    )
    e.add_required_only("campaign_member", "00vB00000000000002", "2025-04-02")

    # A call and an e-mail on every lead with an activity; one call without a disposition.
    for index, (number, (day, _)) in enumerate(leads.items()):
        lead = f"00QB000000000000{number}"
        disposition = None if number == "04" else ("Connected" if index % 2 == 0 else "No Answer")
        e.add(
            "task",
            f"00TB0000000000{number}01",
            day,
            who_id=lead,
            owner_id=inside,
            type="Call",
            task_subtype="Call",
            subject="架電",
            status="Completed",
            is_closed="true",
            activity_date=day,
            completed_date_time=_at(day),
            call_disposition=disposition,
            call_duration_in_seconds=120,
            hearing_item_count_c=2 if index % 3 == 0 else 0,
        )
        e.add(
            "task",
            f"00TB0000000000{number}02",
            day,
            who_id=lead,
            owner_id=inside,
            type="Email",
            task_subtype="Email",
            subject="資料送付",
            status="Completed",
            is_closed="true",
            activity_date=day,
        )
    e.add_required_only("task", "00TB00000000000001", april[0], owner_id=inside)

    # Meetings on the converted leads (one without an end), other events on leads, and
    # internal ones without a lead (enough that one event without a start stays within the
    # suite's fill rule).
    for number in ("01", "02", "07", "08", "10"):
        day = leads[number][0]
        e.add(
            "event",
            f"00UB0000000000{number}01",
            day,
            who_id=f"00QB000000000000{number}",
            owner_id=inside,
            type="Meeting",
            subject="初回訪問",
            activity_date=day,
            start_date_time=_at(day, 2),
            end_date_time=None if number == "08" else _at(day, 3),
            duration_in_minutes=60,
        )
    for number in ("03", "04", "06", "09", "11", "12"):
        day = leads[number][0]
        e.add(
            "event",
            f"00UB0000000000{number}02",
            day,
            who_id=f"00QB000000000000{number}",
            owner_id=inside,
            type="Other",
            subject="資料確認",
            activity_date=day,
            start_date_time=_at(day, 6),
            end_date_time=_at(day, 7),
            duration_in_minutes=60,
        )
    for index, day in enumerate(april + june):
        e.add(
            "event",
            f"00UB00000000009{index:02d}",
            day,
            owner_id=marketer,
            type="Other",
            subject="週次定例",
            activity_date=day,
            start_date_time=_at(day, 4),
            end_date_time=_at(day, 5),
            duration_in_minutes=60,
        )
    e.add_required_only("event", "00UB00000000000001", june[0], owner_id=inside)

    # The converted leads' deals (one won without an amount), and existing business.
    deals = {
        "01": ("Closed Won", "true", "true", 3_000_000, "2025-04-28", april[0]),
        "02": ("Closed Lost", "true", "false", 1_000_000, "2025-04-30", april[1]),
        "03": ("Proposal/Price Quote", "false", "false", 2_000_000, "2025-07-31", june[0]),
        "04": ("Closed Won", "true", "true", None, "2025-06-27", june[1]),
    }
    for index in range(5, 21):
        deals[f"{index:02d}"] = (
            "Closed Won" if index % 4 == 0 else "Prospecting",
            "true" if index % 4 == 0 else "false",
            "true" if index % 4 == 0 else "false",
            500_000 * index,
            "2025-06-30",
            april[index % 6] if index % 2 else june[index % 6],
        )
    for number, (stage, closed, won, amount, close, created) in deals.items():
        e.add(
            "opportunity",
            f"006B000000000000{number}",
            created,
            account_id=account,
            owner_id=field_rep,
            type="New Business",
            lead_source="Web",
            stage_name=stage,
            is_closed=closed,
            is_won=won,
            amount=amount,
            probability=100 if won == "true" else 20,
            close_date=close,
            currency_iso_code="JPY",
        )
    e.add_required_only("opportunity", "006B00000000000099", june[2], owner_id=field_rep, stage_name="Prospecting")
    e.add(
        "opportunity_history",
        "008B00000000000001",
        "2025-04-20",
        opportunity_id="006B00000000000001",
        stage_name="Proposal/Price Quote",
        amount=3_000_000,
        close_date="2025-04-28",
        probability=60,
    )
    e.add_required_only(
        "opportunity_history",
        "008B00000000000002",
        "2025-04-21",
        opportunity_id="006B00000000000002",
        stage_name="Prospecting",
    )
    e.add(
        "lead_history",
        "017B00000000000001",
        "2025-04-05",
        lead_id="00QB00000000000003",
        field="Status",
        old_value="Open - Not Contacted",
        new_value="Working - Contacted",
    )
    e.add_required_only(
        "lead_history", "017B00000000000002", "2025-04-06", lead_id="00QB00000000000004", field="Rating"
    )
    return e


EXTRACT_SETS = {"bare": bare, "sparse": sparse}


@dataclass(frozen=True)
class Refreshed:
    extracts: str
    landing: Path
    published: Path
    exit_code: int


@pytest.fixture(scope="module", params=EXTRACT_SETS)
def refreshed(request, tmp_path_factory: pytest.TempPathFactory, dagster_homes: Path) -> Refreshed:
    root = tmp_path_factory.mktemp(request.param)
    EXTRACT_SETS[request.param]().write(root / "landing")
    warehouse = root / "warehouse" / "fukan.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(dagster_homes / f"edge_{request.param}"))
        exit_code = run_pipeline(root / "landing", warehouse, progress=False)
    return Refreshed(request.param, root / "landing", warehouse.parent / "published", exit_code)


def test_the_refresh_ends_green_with_a_report_of_its_own_data(refreshed: Refreshed) -> None:
    assert refreshed.exit_code == 0
    build_id = read_manifest(refreshed.published)["build_id"]
    for name in REPORTS.values():
        page = (refreshed.published / name).read_text(encoding="utf-8")
        assert f'<meta name="fukan-build-id" content="{build_id}">' in page


def test_the_bare_extracts_refresh_green_when_launched_as_the_daemon_launches(tmp_path: Path, dagster_homes: Path):
    """The same refresh in a run worker, as the UI, the schedule and the sensor start it."""
    bare().write(tmp_path / "landing")
    warehouse = tmp_path / "warehouse" / "fukan.duckdb"
    home = daemon_home(dagster_homes / "edge_bare_daemon")
    launch = launch_like_the_daemon(home, tmp_path / "landing", warehouse)
    launch.finish()
    assert wait_for_run(home, launch.run_id).status == DagsterRunStatus.SUCCESS, launch.log.read_text()[-3000:]
    published = warehouse.parent / "published"
    build_id = read_manifest(published)["build_id"]
    for name in REPORTS.values():
        assert f'<meta name="fukan-build-id" content="{build_id}">' in (published / name).read_text(encoding="utf-8")


def test_the_report_says_no_data_exactly_where_the_marts_hold_none(refreshed: Refreshed) -> None:
    empty = sections_without_rows(refreshed.published / DATABASE)
    if refreshed.extracts == "bare":  # no user role, so no team: no benchmark row
        assert "benchmarks" in empty
    for lang in LANGUAGES:
        sections = page_sections((refreshed.published / REPORTS[lang]).read_text(encoding="utf-8"))
        says_no_data = {name for name, text in sections.items() if Labels(lang)["no_data"] in text}
        assert says_no_data == empty, lang
        for name, text in sections.items():
            assert not re.search(r"\b(nan|NaN|None|NaT|NA)\b", text), f"{lang}: a raw null in #{name}"


def _expected_overview(refreshed: Refreshed, start: str, end: str) -> dict[tuple[str, str], int]:
    """Each step's quality, general and total count of the leads created from start to end."""
    if refreshed.extracts == "bare":  # one general lead that reached no step after the first
        return {
            (column, quality): int(column == "leads" and quality != "quality")
            for column, _, _ in FUNNEL_STEPS
            for quality in ("quality", "general", "all")
        }
    reference = Reference(refreshed.landing)
    funnel = reference.funnel().join(reference.quality()["lead_quality"])
    created = Reference.reporting_date(reference.leads.set_index("id")["created_date"]).reindex(funnel.index)
    cohort = funnel[(created >= pd.Timestamp(start)) & (created <= pd.Timestamp(end))]
    assert len(cohort) > 0, f"no lead created in {start}..{end}: the comparison would be empty"
    expected = {}
    for column, step, _ in FUNNEL_STEPS:
        reached = cohort[cohort[f"reached_{step}"]]
        expected |= {
            (column, quality): int((reached.lead_quality == quality).sum()) for quality in ("quality", "general")
        }
        expected[(column, "all")] = len(reached)
    return expected


def test_the_overview_counts_equal_the_pandas_reference(refreshed: Refreshed) -> None:
    """Every step's quality, general and total count of the cohort of the fiscal year the
    overview states, as the Japanese page shows them (the pandas reference needs
    opportunities: the bare set's one lead is counted by hand)."""
    page = (refreshed.published / REPORTS["ja"]).read_text(encoding="utf-8")
    start, end = re.search(r"（(\d{4}-\d{2}-\d{2})〜(\d{4}-\d{2}-\d{2})）に作成されたリード", page).groups()
    shown = {
        (kpi, quality): int(text.replace(",", ""))
        for kpi, quality, text in re.findall(r'data-kpi="(\w+)" data-quality="(\w+)">([\d,]+)<', page)
    }
    assert shown == _expected_overview(refreshed, start, end)
