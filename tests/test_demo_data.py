"""The demo-data generator: deterministic, on contract, and shaped the way the KPIs need.

Figures are recomputed here from the files with pandas, independently of the generator's
own simulation, so a test fails when the files stop telling the intended story.
"""

from __future__ import annotations

import functools
import operator
import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from pandas_reference import Reference, inside_sales_roles

from orchestration.contract import BOOLEAN, DATE, DOUBLE, INTEGER, OBJECTS, RECORD_TIME_TOLERANCE, TIMESTAMP
from orchestration.demo_data import (
    DEFAULT_QUALITY_RULES,
    DEPARTED_USERS,
    DEPARTMENT_MOVES,
    QUALITY_THRESHOLD,
    QUIET_PERIOD,
    TEAM_MOVES,
    UNMAPPED_USER_DEPARTMENTS,
    VOLUME_PUSH,
    generate,
)

LEADS = 3000
END = date(2026, 9, 30)
DELTA_DAY = END + timedelta(days=1)
LAST_INSTANT = pd.Timestamp("2026-10-01T14:59:59Z")  # end of the delta day in JST
CONNECTED = {"connected", "conversation", "interested", "not interested", "call back later", "接続", "対話"}
DEPARTMENTS = {
    "Marketing": "marketing",
    "マーケティング": "marketing",
    "Inside Sales": "inside_sales",
    "インサイドセールス": "inside_sales",
    "Field Sales": "field_sales",
    "フィールドセールス": "field_sales",
    "営業": "field_sales",
}
PATTERNS = {
    TIMESTAMP: re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$"),
    DATE: re.compile(r"^\d{4}-\d\d-\d\d$"),
    BOOLEAN: re.compile(r"^(true|false)$"),
    INTEGER: re.compile(r"^-?\d+$"),
    DOUBLE: re.compile(r"^-?\d+(\.\d+)?$"),
}


def snake(header: str) -> str:
    if header.endswith("__c"):
        return header[:-3].lower() + "_c"
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", header).lower()


def read(path: Path) -> pd.DataFrame:
    """Every value as text, empty string for an empty field (as the loader sees it)."""
    encoding = "cp932" if path.parent.name == "campaign" else "utf-8"
    header = pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding=encoding)).column_names
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(encoding=encoding),
        convert_options=pacsv.ConvertOptions(
            column_types={h: pa.string() for h in header}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    return table.to_pandas().rename(columns=snake)


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("landing")
    summary = generate(out, leads=LEADS, seed=7, progress=False)
    return out, summary


@pytest.fixture(scope="module")
def tables(landing) -> dict[str, pd.DataFrame]:
    out, _ = landing
    return {f"{p.parent.name}:{'delta' if 'delta' in p.name else 'full'}": read(p) for p in sorted(out.glob("*/*.csv"))}


def full(tables: dict[str, pd.DataFrame], obj: str) -> pd.DataFrame:
    return tables[f"{obj}:full"]


def instants(series: pd.Series) -> pd.Series:
    """Parse Salesforce timestamps strictly (a malformed value raises); empty -> NaT."""
    text = pa.array(series.to_numpy(dtype=object), type=pa.string())
    text = pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    parsed = pc.strptime(text, format="%Y-%m-%dT%H:%M:%S.000+0000", unit="s")
    values = parsed.to_numpy(zero_copy_only=False).astype("datetime64[s]")
    return pd.Series(values, index=series.index).dt.tz_localize("UTC")


def jst_days(series: pd.Series) -> pd.Series:
    return instants(series).dt.tz_convert("Asia/Tokyo").dt.date


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", leads=800, seed=3, progress=False)
    second = generate(tmp_path / "b", leads=800, seed=3, progress=False)
    names = [p.relative_to(tmp_path / "a") for p in first.files]
    assert names == [p.relative_to(tmp_path / "b") for p in second.files]
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    other = generate(tmp_path / "c", leads=800, seed=4, progress=False)
    assert (tmp_path / "c" / names[0]).read_bytes() != b"" and any(
        (tmp_path / "a" / n).read_bytes() != (tmp_path / "c" / n).read_bytes()
        for n in names
        if (tmp_path / "c" / n).exists()
    )
    assert set(other.rows) == set(first.rows)


def test_layout_and_summary(landing) -> None:
    out, summary = landing
    assert {p.parent.name for p in summary.files} == set(OBJECTS)
    for path in summary.files:
        assert path.parent.parent == out and path.parent.name in OBJECTS
        # Users also as the file before the simulated period showed them (moves arrive later).
        dated = "20240331_full|20260930_full" if path.parent.name == "user" else "20260930_full|20261001_delta"
        assert re.fullmatch(rf"{path.parent.name}_({dated})\.csv", path.name), path.name
    assert summary.rows["lead"] == LEADS + sum(len(v) for v in summary.delta_ids.values())
    assert "lead" in str(summary)


def test_files_match_the_contract(tables: dict[str, pd.DataFrame]) -> None:
    for key, frame in tables.items():
        obj = OBJECTS[key.split(":")[0]]
        missing = set(obj.required_columns) - set(frame.columns)
        assert not missing, f"{key} lacks {missing}"
        parsed = {}
        for column in obj.columns:
            if column.name not in frame.columns:
                continue
            values = frame[column.name]
            if column.type == TIMESTAMP:  # the strict format makes parsing the check
                parsed[column.name] = instants(values)
                if column.bounds.ahead <= RECORD_TIME_TOLERANCE:  # a planned time (a meeting's start) may lie ahead
                    assert (parsed[column.name].dropna() <= LAST_INSTANT).all(), f"{key}.{column.name} in the future"
            elif column.type in PATTERNS:
                bad = values[(values != "") & ~values.str.match(PATTERNS[column.type])]
                assert bad.empty, f"{key}.{column.name}: {bad.head(3).tolist()}"
        for column in obj.required_columns:
            assert (frame[column] != "").all(), f"{key}.{column} has empty values"
        assert (parsed["system_modstamp"] >= parsed["created_date"]).all(), key
        assert frame["id"].str.fullmatch(r"[0-9A-Za-z]{18}").all()
        assert frame["id"].is_unique, key


def test_salesforce_export_headers_and_cp932(landing) -> None:
    out, _ = landing
    campaign = next((out / "campaign").glob("*.csv")).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        campaign.decode("utf-8")
    text = campaign.decode("cp932")
    assert text.startswith('"Id","CreatedDate","SystemModstamp"') and "DX推進展 2025秋" in text
    user = next((out / "user").glob("*.csv")).read_text("utf-8")
    assert user.splitlines()[0].startswith('"Id","CreatedDate"') and "UserRoleId" in user.splitlines()[0]
    lead = next((out / "lead").glob("*_full.csv")).read_text("utf-8")
    assert lead.startswith('"id","created_date"')


def test_parquet_has_types(tmp_path: Path) -> None:
    summary = generate(tmp_path, leads=500, seed=1, file_format="parquet", progress=False)
    lead = pq.read_table(next(p for p in summary.files if p.name.startswith("lead_") and "full" in p.name))
    assert str(lead.schema.field("created_date").type) == "timestamp[ms, tz=UTC]"
    assert str(lead.schema.field("converted_date").type) == "date32[day]"
    assert lead.num_rows == 500
    user = pq.read_table(next(p for p in summary.files if p.parent.name == "user"))
    assert "user_role_id" in user.column_names


def test_volumes_scale_with_leads(tables: dict[str, pd.DataFrame], landing) -> None:
    _, summary = landing
    assert len(full(tables, "lead")) == LEADS
    per_lead = {obj: summary.rows[obj] / LEADS for obj in ("task", "event", "opportunity", "campaign_member")}
    assert 5 <= per_lead["task"] <= 60  # ~10 at scale; small runs keep the five core IS reps busy
    assert 0.5 <= per_lead["event"] <= 5
    assert 0.05 <= per_lead["opportunity"] <= 0.4
    assert 1.0 <= per_lead["campaign_member"] <= 1.4


@functools.cache
def _japanese_holidays() -> list[date]:
    holidays = pytest.importorskip("holidays")
    return list(holidays.Japan(years=range(2024, 2027)).keys())


def _business_days(first: date, last: date) -> int:
    return int(np.busday_count(first, last + timedelta(days=1), holidays=_japanese_holidays()))


def test_calls_per_inside_sales_rep_per_business_day(tables: dict[str, pd.DataFrame]) -> None:
    users = full(tables, "user")
    department = users["department"].map(DEPARTMENTS).fillna(users["id"].map(UNMAPPED_USER_DEPARTMENTS))
    stops = {uid: d for uid, d in DEPARTED_USERS}
    stops.update({uid: d - timedelta(days=1) for uid, d, old, _ in DEPARTMENT_MOVES if old == "inside_sales"})
    is_reps = set(users["id"][department == "inside_sales"]) | set(stops)
    tasks = full(tables, "task")
    calls = tasks[(tasks["type"] == "Call") & tasks["owner_id"].isin(is_reps)]
    callers = users[users["id"].isin(calls["owner_id"])]
    joined = dict(zip(callers["id"], jst_days(callers["created_date"]), strict=True))
    start = date(2024, 4, 1)
    rep_days = sum(_business_days(max(start, joined[rep]), min(END, stops.get(rep, END))) for rep in joined)
    per_day = len(calls) / rep_days
    assert 40 <= per_day <= 60, per_day
    leaver, last_day = DEPARTED_USERS[0]
    assert (jst_days(tasks["created_date"][tasks["owner_id"] == leaver]) <= last_day).all()
    assert users.set_index("id").loc[leaver, "is_active"] == "false"
    assert users.set_index("id").loc[list(UNMAPPED_USER_DEPARTMENTS), "department"].eq("").all()


def test_moves_arrive_in_a_later_user_file(landing) -> None:
    """The user file before the simulated period shows each mover's old role (and the
    department mover's old department); the snapshot file shows the new ones, modified
    on the day of the move (JST), as Salesforce sends a changed user."""
    out, _ = landing
    earlier, later = (read(p).set_index("id") for p in sorted((out / "user").glob("*_full.csv")))
    assert len(TEAM_MOVES) >= 3 and {uid for uid, *_ in DEPARTMENT_MOVES} <= {uid for uid, *_ in TEAM_MOVES}
    for user_id, day, role_before, role_after in TEAM_MOVES:
        assert (earlier.loc[user_id, "user_role_id"], later.loc[user_id, "user_role_id"]) == (role_before, role_after)
        assert jst_days(later.loc[[user_id], "system_modstamp"]).iloc[0] == day
    for user_id, _, before, after in DEPARTMENT_MOVES:
        assert DEPARTMENTS.get(earlier.loc[user_id, "department"]) == before
        assert DEPARTMENTS.get(later.loc[user_id, "department"]) == after
    # A team move keeps the rep in inside sales, calling before and after the move.
    tasks = read(next((out / "task").glob("*_full.csv")))
    for user_id, day, _, _ in TEAM_MOVES:
        if user_id not in {uid for uid, *_ in DEPARTMENT_MOVES}:
            days = jst_days(tasks.loc[tasks["owner_id"] == user_id, "created_date"])
            assert (days < day).any() and (days >= day).any(), user_id


def creation_values(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Lead attributes as created: the first old_value in lead_history where a tracked field changed."""
    leads = full(tables, "lead").set_index("id")
    history = full(tables, "lead_history")
    for field, column in (("Title", "title"), ("Industry", "industry"), ("NumberOfEmployees", "number_of_employees")):
        edits = history[history["field"] == field].sort_values("created_date").drop_duplicates("lead_id")
        leads.loc[edits["lead_id"], column] = edits["old_value"].to_numpy()
    return leads


def quality_points(leads: pd.DataFrame) -> pd.Series:
    points = pd.Series(0, index=leads.index)
    for rule in DEFAULT_QUALITY_RULES:
        value = leads[rule.attribute]
        present = value != ""
        if rule.operator == "in":
            hit = present & value.isin(rule.value.split("|"))
        elif rule.operator == "matches":
            hit = present & value.str.contains(rule.value, regex=True)
        else:
            low, high = (float(v) for v in rule.value.split("|"))
            number = pd.to_numeric(value.replace("", None))
            hit = present & (number >= low) & (number <= high)
        points += np.where(hit, rule.points, 0)
    return points


def funnel_by_quality(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    leads = creation_values(tables)
    leads["quality"] = quality_points(leads) >= QUALITY_THRESHOLD
    tasks, events = full(tables, "task"), full(tables, "event")
    calls = tasks[tasks["type"] == "Call"]
    connected = calls[calls["call_disposition"].str.strip().str.lower().isin(CONNECTED)]
    meetings = events[events["type"].isin(["Meeting", ""]) & events["who_id"].str.startswith("00Q")]
    opportunities = full(tables, "opportunity").set_index("id")
    leads["contacted"] = leads.index.isin(connected["who_id"])
    leads["appointment"] = leads.index.isin(meetings["who_id"])
    leads["handed_off"] = leads["is_converted"] == "true"
    opp = leads["converted_opportunity_id"]
    leads["opportunity"] = opp != ""
    leads["won"] = opp.map(opportunities["is_won"]).eq("true")
    return leads


def test_quality_leads_convert_better(tables: dict[str, pd.DataFrame]) -> None:
    leads = funnel_by_quality(tables)
    steps = ["contacted", "appointment", "handed_off", "opportunity", "won"]
    rates = leads.groupby("quality")[steps].mean()
    for step in steps:
        assert rates.loc[True, step] > 1.2 * rates.loc[False, step], (step, rates[step].to_dict())
    assert 0.15 <= leads["quality"].mean() <= 0.5


def test_push_brings_volume_and_lowers_quality(tables: dict[str, pd.DataFrame]) -> None:
    leads = funnel_by_quality(tables)
    day = jst_days(pd.Series(leads["created_date"].to_numpy()))
    leads["day"] = day.to_numpy()

    def window(period: tuple[date, date]) -> pd.DataFrame:
        return leads[(leads["day"] >= period[0]) & (leads["day"] <= period[1])]

    push, quiet = window(VOLUME_PUSH), window(QUIET_PERIOD)
    weeks = lambda p: ((p[1] - p[0]).days + 1) / 7  # noqa: E731
    push_weekly, quiet_weekly = len(push) / weeks(VOLUME_PUSH), len(quiet) / weeks(QUIET_PERIOD)
    assert 2.2 <= push_weekly / quiet_weekly <= 4.5, (push_weekly, quiet_weekly)
    assert push["quality"].mean() < quiet["quality"].mean() - 0.1
    assert push["contacted"].mean() < quiet["contacted"].mean()
    assert push["appointment"].mean() < quiet["appointment"].mean()


def test_delta_ids_behave_as_stated(tables: dict[str, pd.DataFrame], landing) -> None:
    _, summary = landing
    ids = summary.delta_ids
    snapshot = full(tables, "lead").set_index("id")
    delta = tables["lead:delta"]
    assert sorted(delta["id"]) == sorted(functools.reduce(operator.iadd, ids.values(), []))
    assert ids["stale_leads"] and ids["deleted_leads"] and ids["new_leads"] and len(ids["changed_leads"]) >= 10
    current = delta.drop_duplicates("id").set_index("id")
    for lead_id in ids["new_leads"]:
        assert (
            lead_id not in snapshot.index
            and jst_days(pd.Series([current.loc[lead_id, "created_date"]]))[0] == DELTA_DAY
        )
    changed = current.loc[ids["changed_leads"] + ids["deleted_leads"]]
    assert (instants(changed["system_modstamp"]) > instants(snapshot.loc[changed.index, "system_modstamp"])).all()
    assert (current.loc[ids["deleted_leads"], "is_deleted"] == "true").all()
    assert (current.loc[ids["changed_leads"], "is_deleted"] == "false").all()
    closed = current.loc[ids["changed_leads"], "status"] == "Closed - Not Converted"
    assert closed.sum() >= 10
    stale = current.loc[ids["stale_leads"]]
    assert (instants(stale["system_modstamp"]) < instants(snapshot.loc[stale.index, "system_modstamp"])).all()
    assert (stale["status"] != snapshot.loc[stale.index, "status"]).all()
    delta_tasks = tables["task:delta"]
    assert delta_tasks["who_id"].isin(ids["new_leads"]).any()


def test_realism_the_loader_must_handle(tables: dict[str, pd.DataFrame]) -> None:
    tasks = full(tables, "task")
    calls = tasks[tasks["type"] == "Call"]["call_disposition"]
    messy = calls != calls.str.strip()
    assert 0.002 < messy.mean() < 0.02
    assert calls.isin(["Fax Tone", "話し中", "FAX"]).any()
    open_tasks = tasks[tasks["is_closed"] == "false"]
    assert (open_tasks["status"] == "Not Started").all() and (open_tasks["activity_date"] > str(END)).mean() > 0.6
    events = full(tables, "event")
    assert events["subject"].str.startswith("【キャンセル】").any()
    assert (events.loc[events["subject"].str.startswith("【キャンセル】"), "type"] == "Cancelled").all()
    opportunities = full(tables, "opportunity")
    history = full(tables, "opportunity_history")
    assert 0.8 < opportunities["id"].isin(history["opportunity_id"]).mean() < 0.97
    assert (opportunities["type"] == "Existing Business").mean() > 0.05
    lost = opportunities[opportunities["stage_name"] == "Closed Lost"]["id"]
    proposed = history[history["stage_name"].isin(["Proposal/Price Quote", "Negotiation/Review"])]["opportunity_id"]
    assert 0.2 < (~lost.isin(proposed)).mean() < 0.95
    assert (opportunities["currency_iso_code"] == "JPY").all()
    assert (opportunities["is_closed"] == "false").any()
    lead_history = full(tables, "lead_history")
    edits = lead_history[lead_history["field"].isin(["Title", "Industry", "NumberOfEmployees"])]
    assert 0.02 < edits["lead_id"].nunique() / LEADS < 0.1
    leads = full(tables, "lead").set_index("id")
    titles = edits[edits["field"] == "Title"].drop_duplicates("lead_id", keep="last")
    assert (leads.loc[titles["lead_id"], "title"].to_numpy() == titles["new_value"].to_numpy()).all()
    assert (leads["status"] == "ニーズ確認済").any()
    users = full(tables, "user")
    assert users["department"].isin([*list(DEPARTMENTS), ""]).all() and (users["department"] == "").sum() >= 3


def test_every_inside_sales_role_has_calls_appointments_and_deals(landing) -> None:
    """Each role of the role seed (read by the independent pandas reference) occurs with
    calls, appointments, opportunities and (recycle, upsell) wins, cold outbound calls
    book meetings less often than recycle calls, and each role's deals come by the rule
    meant for them (recycled leads converted long after their disqualification)."""
    out, _ = landing
    records = inside_sales_roles(Reference(out)).assign(won=lambda r: r["won_day"].notna())
    totals = records.groupby("sales_role")[["calls", "connected_calls", "appointments", "opportunities", "won"]].sum()
    assert set(totals.index) == {"nurture", "recycle", "upsell", "outbound"}
    assert (totals[["calls", "connected_calls", "appointments"]] >= 10).all().all(), totals
    assert (totals["opportunities"] >= 5).all(), totals
    assert (totals.loc[["recycle", "upsell"], "won"] >= 1).all(), totals
    booked = totals["appointments"] / totals["connected_calls"]
    assert booked["outbound"] < booked["recycle"] / 3, booked
    deals = records[records["opportunities"] == 1]
    assert set(deals.loc[deals["sales_role"] == "outbound", "role_rule_id"]) == {"outbound_source"}
    assert set(deals.loc[deals["sales_role"] == "upsell", "role_rule_id"]) == {"existing_business_deal"}
    assert set(deals.loc[deals["sales_role"] == "recycle", "role_rule_id"]) == {"re_engaged"}


def test_outbound_calls_reach_target_accounts(tables: dict[str, pd.DataFrame]) -> None:
    """A target-account list: prospect accounts no lead converted into, each with a contact,
    cold-called on the account and its contact; a few cold calls are logged on nothing."""
    accounts = full(tables, "account").set_index("id")
    converted_into = set(full(tables, "lead")["converted_account_id"])
    targets = accounts[(accounts["type"] == "Prospect") & ~accounts.index.isin(converted_into)]
    contacts = full(tables, "contact")
    assert targets.index.isin(contacts["account_id"]).all()
    tasks = full(tables, "task")
    calls = tasks[tasks["type"] == "Call"]
    on_targets = calls[calls["account_id"].isin(targets.index)]
    assert len(on_targets) >= 100 and on_targets["account_id"].nunique() >= 50, len(on_targets)
    contact_account = contacts.set_index("id")["account_id"]
    assert (on_targets["who_id"].map(contact_account) == on_targets["account_id"]).all()
    logged_on_nothing = calls[(calls["who_id"] == "") & (calls["account_id"] == "")]
    assert 0.03 < len(logged_on_nothing) / (len(on_targets) + len(logged_on_nothing)) < 0.25
    events = full(tables, "event")
    assert events["account_id"].isin(targets.index).sum() >= 5


def test_japanese_holiday_rules_match_the_holidays_package() -> None:
    holidays = pytest.importorskip("holidays")
    from orchestration.demo_data.jp_calendar import japanese_holidays, to_date

    for year in range(2024, 2028):
        assert {to_date(d) for d in japanese_holidays(year, year)} == set(holidays.Japan(years=year))


def test_default_quality_seed_is_the_generators_rule_set():
    """The shipped definition and the demo's notion of a good lead are the same rules."""
    import csv

    from orchestration import config
    from orchestration.demo_data import DEFAULT_QUALITY_RULES

    with open(config.SEEDS_DIR / "quality_lead_rules.csv", encoding="utf-8") as handle:
        seed = [
            (r["rule_id"], r["attribute"], r["operator"], r["value"], int(r["points"])) for r in csv.DictReader(handle)
        ]
    assert seed == [tuple(rule) for rule in DEFAULT_QUALITY_RULES]


def test_run_generates_the_demo_extracts_in_a_process_of_its_own(tmp_path: Path) -> None:
    """`fukan run --demo-if-empty` writes the same files as `generate` while it imports."""
    from orchestration.cli import start_demo_data

    started = start_demo_data(tmp_path / "run", leads=300, seed=5, quiet=True)
    expected = generate(tmp_path / "direct", leads=300, seed=5, progress=False)
    assert started.wait(timeout=300) == 0
    names = [p.relative_to(tmp_path / "direct") for p in expected.files]
    assert names and all((tmp_path / "run" / n).read_bytes() == (tmp_path / "direct" / n).read_bytes() for n in names)
