"""An independent pandas reading of the raw landing files and of the KPI definitions.

End-to-end tests compare the warehouse with this, never with the SQL under test. It
reads the landing files directly (not the raw tables), applies the contract's
latest-wins rule and the spec's definitions in plain pandas, and shares no code with
the loader or the dbt project beyond the seed CSVs that *are* the definitions.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
# The funnel steps in order and their count columns in the KPI marts, as the seed lists them.
_FUNNEL_SEED = pd.read_csv(SEEDS / "funnel_steps.csv", dtype={"step_number": int}).sort_values("step_number")
STEPS = list(_FUNNEL_SEED["funnel_step"])
COUNT_COLUMNS = dict(zip(_FUNNEL_SEED["funnel_step"], _FUNNEL_SEED["count_column"], strict=True))
TIME_ZONE = "Asia/Tokyo"
HISTORY_FIELDS = {
    "industry": "Industry",
    "number_of_employees": "NumberOfEmployees",
    "annual_revenue": "AnnualRevenue",
    "title": "Title",
    "lead_source": "LeadSource",
    "country_code": "CountryCode",
    "rating": "Rating",
    "company": "Company",
}


def _snake(header: str) -> str:
    """`SystemModstamp` -> `system_modstamp`, `Hearing_Item_Count__c` -> `hearing_item_count_c`."""
    header = header.strip().lstrip("\ufeff")
    header = re.sub(r"__c$", "_c", header)
    header = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", header)
    return re.sub(r"_+", "_", header).lower()


def _read(path: Path) -> pd.DataFrame:
    """One extract file as text columns (empty = null): CSV (UTF-8 or CP932, gzipped or
    not), Parquet or JSON Lines."""
    name = path.name.lower()
    if name.endswith(".parquet"):
        frame = pd.read_parquet(path).astype("string")
    elif name.endswith(".jsonl"):
        frame = pd.read_json(path, lines=True, dtype=False).astype("string")
    else:
        options = dict(dtype=str, keep_default_na=False, compression="gzip" if name.endswith(".gz") else None)
        try:
            frame = pd.read_csv(path, encoding="utf-8-sig", **options)
        except UnicodeDecodeError:
            frame = pd.read_csv(path, encoding="cp932", **options)
    frame.columns = [_snake(c) for c in frame.columns]
    return frame.replace({"": None})


def _natural_key(name: str) -> list[int | str]:
    """File order: `delta_2` before `delta_10` (numbers compared as numbers)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True, format="mixed").dt.tz_localize(None)


def boolean(series: pd.Series) -> pd.Series:
    """A boolean column as the contract reads it: true, 1, yes / false, 0, no (any case);
    anything else, and a missing value, is null."""
    text = series.astype("string").str.lower()
    return text.map({"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}).astype("boolean")


def _bool(series: pd.Series) -> pd.Series:
    """True where the value reads as true; false where it reads as false or is null."""
    return boolean(series).fillna(False).astype(bool)


def read_versions(landing: Path, obj: str) -> pd.DataFrame:
    """Every row version of one object (every file of its folder), with the file's place
    in the load order (`_file_order`) and the row's place in its file (`_row`)."""
    folder = Path(landing) / obj
    files = (
        sorted(
            (p for p in folder.glob("*") if p.is_file() and not p.name.startswith(".")),
            key=lambda p: _natural_key(p.name),
        )
        if folder.is_dir()
        else []
    )
    assert files, f"no extract files for {obj} under {landing}"
    parts = []
    for order, path in enumerate(files):
        part = _read(path)
        part["_file"], part["_file_order"], part["_row"] = path.name, order, np.arange(len(part))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def latest_versions(versions: pd.DataFrame, keep_deleted: bool = False) -> pd.DataFrame:
    """The contract's latest-wins rule: per id the version with the greatest
    system_modstamp (else last_modified_date, else created_date), then the later file,
    then the later row; deleted records dropped unless `keep_deleted`."""
    frame = versions.copy()
    frame["created_date"] = _utc(frame["created_date"])
    missing = pd.Series(None, index=frame.index, dtype="string")
    frame["_version_at"] = (
        _utc(frame.get("system_modstamp", missing))
        .fillna(_utc(frame.get("last_modified_date", missing)))
        .fillna(frame["created_date"])
    )
    frame = frame.sort_values(["id", "_version_at", "_file_order", "_row"]).drop_duplicates("id", keep="last")
    frame["is_deleted"] = _bool(frame.get("is_deleted", missing))
    if not keep_deleted:
        frame = frame[~frame["is_deleted"]]
    return frame.reset_index(drop=True)


def _seed(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS / f"{name}.csv", dtype=str, keep_default_na=False).replace({"": None})


class Reference:
    """The landing folder read as the spec says, object by object."""

    def __init__(self, landing: Path):
        self.landing = Path(landing)

    def latest(self, obj: str, keep_deleted: bool = False) -> pd.DataFrame:
        """Current version per id (latest_versions) of every row version in the landing folder."""
        return latest_versions(read_versions(self.landing, obj), keep_deleted)

    @cached_property
    def leads(self) -> pd.DataFrame:
        return self.latest("lead")

    @cached_property
    def as_of(self) -> pd.Timestamp:
        stamps = [self.latest(o)["_version_at"].max() for o in ("lead", "task", "event", "opportunity")]
        stamps += [self.latest(o)["created_date"].max() for o in ("opportunity_history", "lead_history")]
        return max(stamps)

    # -- quality -------------------------------------------------------------------
    def attributes_as_created(self) -> pd.DataFrame:
        leads = self.leads.set_index("id")
        history = self.latest("lead_history").sort_values(["created_date", "id"])
        values = pd.DataFrame(index=leads.index)
        for attribute, field in HISTORY_FIELDS.items():
            current = leads[attribute] if attribute in leads else pd.Series(None, index=leads.index)
            changes = history[history["field"] == field].drop_duplicates("lead_id", keep="first")
            first_old = changes.set_index("lead_id")["old_value"]
            tracked = values.index.isin(first_old.index)
            values[attribute] = current.where(~tracked, first_old.reindex(values.index))
        return values

    def quality(self, rules: pd.DataFrame | None = None, min_points: int = 3) -> pd.DataFrame:
        rules = _seed("quality_lead_rules") if rules is None else rules
        values = self.attributes_as_created()
        score = pd.Series(0, index=values.index)
        reasons = {lead_id: [] for lead_id in values.index}
        for rule in rules.itertuples():
            text = values[rule.attribute]
            number = pd.to_numeric(text, errors="coerce")
            present = text.notna()
            if rule.operator == "in":
                hit = text.isin(rule.value.split("|"))
            elif rule.operator == "not_in":
                hit = present & ~text.isin(rule.value.split("|"))
            elif rule.operator == "between":
                low, high = (float(v) for v in rule.value.split("|"))
                hit = number.between(low, high)
            elif rule.operator == "matches":
                hit = text.fillna("").str.contains(rule.value, regex=True) & present
            elif rule.operator == "is_not_null":
                hit = present
            else:
                raise ValueError(rule.operator)
            hit = hit.fillna(False).astype(bool)
            score += hit * int(rule.points)
            for lead_id in values.index[hit]:
                reasons[lead_id].append(rule.rule_id)
        return pd.DataFrame(
            {
                "quality_score": score,
                "lead_quality": np.where(score >= min_points, "quality", "general"),
                "quality_reasons": [",".join(sorted(reasons[i])) or None for i in values.index],
            },
            index=values.index,
        )

    # -- funnel --------------------------------------------------------------------
    @cached_property
    def activities(self) -> pd.DataFrame:
        """Calls, e-mails and meetings with their lead (who_id, or the converted contact)."""
        leads = self.leads
        contact_to_lead = leads.dropna(subset=["converted_contact_id"]).groupby("converted_contact_id")["id"].min()
        dispositions = _seed("call_disposition_mapping")
        connected = dict(
            zip(dispositions.call_disposition.str.strip().str.lower(), dispositions.is_connected == "true", strict=True)
        )
        tasks = self.latest("task")
        subtype, kind = tasks.get("task_subtype"), tasks.get("type")
        tasks["activity_type"] = np.select(
            [(subtype == "Call") | (kind == "Call"), (subtype == "Email") | (kind == "Email")],
            ["call", "email"],
            "task",
        )
        tasks["is_connected"] = (tasks["activity_type"] == "call") & tasks["call_disposition"].fillna(
            ""
        ).str.strip().str.lower().map(connected).fillna(False).astype(bool)
        tasks["hearing"] = pd.to_numeric(tasks["hearing_item_count_c"], errors="coerce").fillna(0)
        # Completed: is_closed, or when the extract leaves it empty, a completion time.
        closed = boolean(tasks.get("is_closed", pd.Series(None, index=tasks.index, dtype="string")))
        completed_at = tasks.get("completed_date_time", pd.Series(None, index=tasks.index, dtype="string"))
        tasks["is_completed"] = closed.fillna(completed_at.notna()).astype(bool)
        # One-to-one: the e-mail subtype seed marks the subtype personal (ListEmail, a mass
        # send, is not; an unlisted subtype is not), or the e-mail has no subtype.
        personal = _seed("email_subtype_mapping").set_index("task_subtype")["is_personal"] == "true"
        subtype = tasks.get("task_subtype", pd.Series(None, index=tasks.index)).astype("string").str.strip()
        tasks["is_one_to_one_email"] = (tasks["activity_type"] == "email") & subtype.map(personal).astype(
            "boolean"
        ).fillna(subtype.isna()).astype(bool)
        events = self.latest("event")
        event_types = _seed("event_type_mapping")
        meeting_map = dict(zip(event_types.event_type, event_types.is_meeting == "true", strict=True))
        etype = events["type"].fillna("").str.strip()
        events["activity_type"] = np.where(etype.map(meeting_map).fillna(etype == "").astype(bool), "meeting", "event")
        events["is_connected"], events["hearing"], events["is_completed"] = False, 0, True
        events["is_one_to_one_email"] = False
        cols = [
            "id",
            "who_id",
            "owner_id",
            "created_date",
            "activity_type",
            "is_connected",
            "hearing",
            "is_completed",
            "is_one_to_one_email",
        ]
        both = pd.concat([tasks[cols].assign(source="task"), events[cols].assign(source="event")], ignore_index=True)
        lead_ids = set(leads["id"])
        both["lead_id"] = both["who_id"].where(both["who_id"].isin(lead_ids), both["who_id"].map(contact_to_lead))
        return both[both["created_date"] <= self.as_of]

    def appointments(self) -> pd.DataFrame:
        """Per appointment - a meeting booked on a lead by an owner in inside sales on the
        booking day (Tokyo) - its lead_id, owner_id, booking instant `at` (the event's
        creation) and `day`."""
        meetings = self.activities[(self.activities["activity_type"] == "meeting") & self.activities["lead_id"].notna()]
        day = self.reporting_date(meetings["created_date"])
        inside_sales = self.owner_as_of(meetings["owner_id"], day)["department"] == "inside_sales"
        booked = pd.DataFrame({"lead_id": meetings["lead_id"], "owner_id": meetings["owner_id"]})
        return booked.assign(at=meetings["created_date"], day=day)[inside_sales]

    def funnel(self) -> pd.DataFrame:
        """Per lead: <step>_at after the cumulative rule, reached_<step> flags. Worked: a
        call or a one-to-one e-mail; appointment: the first appointment (appointments)."""
        leads = self.leads.set_index("id")
        as_of = self.as_of
        evidence = pd.DataFrame(index=leads.index)
        evidence["lead"] = leads["created_date"]
        acts = self.activities
        acts = acts[acts["lead_id"].notna() & acts["is_completed"]]

        def first(mask):
            return acts[mask].groupby("lead_id")["created_date"].min()

        evidence["worked"] = first((acts["activity_type"] == "call") | acts["is_one_to_one_email"])
        evidence["contacted"] = first(acts["is_connected"])
        evidence["need_confirmed"] = first((acts["source"] == "task") & (acts["hearing"] >= 1))
        evidence["appointment"] = self.appointments().groupby("lead_id")["at"].min()
        # status evidence: history Status changes and the current status
        status_map = _seed("lead_status_mapping").set_index("lead_status")["funnel_step"]
        history = self.latest("lead_history")
        changes = history[history["field"] == "Status"][["lead_id", "new_value", "created_date"]]
        changes.columns = ["lead_id", "status", "at"]
        current = pd.DataFrame(
            {"lead_id": leads.index, "status": leads["status"].values, "at": leads["_version_at"].values}
        )
        statuses = pd.concat([changes, current])
        statuses["step"] = statuses["status"].map(status_map)
        statuses = statuses[statuses["at"] <= as_of]
        for step in ["contacted", "need_confirmed", "appointment", "handed_off"]:
            by_status = statuses[statuses["step"] == step].groupby("lead_id")["at"].min()
            evidence[step] = (
                pd.concat([evidence[step], by_status.reindex(evidence.index)], axis=1).min(axis=1)
                if step in evidence
                else by_status
            )
        converted_events = history[history["field"] == "leadConverted"].groupby("lead_id")["created_date"].min()
        converted = _bool(leads["is_converted"]) | leads["converted_date"].notna()
        conversion_at = converted_events.reindex(leads.index).fillna(pd.to_datetime(leads["converted_date"]))
        evidence["handed_off"] = pd.concat([evidence["handed_off"], conversion_at.where(converted)], axis=1).min(axis=1)
        opps = self.latest("opportunity").set_index("id")
        stages = _seed("opportunity_stage_mapping").set_index("stage_name")["stage_category"]
        opp_history = self.latest("opportunity_history")
        opp_history = opp_history[opp_history["opportunity_id"].isin(opps.index)]
        past_proposal = {"proposal", "after_proposal", "won"}
        proposal_hist = (
            opp_history[opp_history["stage_name"].map(stages).isin(past_proposal)]
            .groupby("opportunity_id")["created_date"]
            .min()
        )
        category = opps["stage_name"].map(stages)
        close_at = pd.to_datetime(opps["close_date"])
        current_at = opps["_version_at"].where(category != "won", close_at.fillna(opps["_version_at"]))
        proposal_current = current_at.where(category.isin(past_proposal))
        proposal_at = pd.concat([proposal_hist.reindex(opps.index), proposal_current], axis=1).min(axis=1)
        won_at = close_at.where(category == "won")
        opp_of_lead = leads["converted_opportunity_id"].where(leads["converted_opportunity_id"].isin(opps.index))
        evidence["opportunity"] = opp_of_lead.map(opps["created_date"])
        evidence["proposal"] = opp_of_lead.map(proposal_at)
        evidence["won"] = opp_of_lead.map(won_at)
        evidence = evidence.where(evidence <= as_of)
        result = pd.DataFrame(index=leads.index)
        running = pd.Series(pd.NaT, index=leads.index, dtype="datetime64[ns]")
        for step in reversed(STEPS):
            running = pd.concat([evidence[step].astype("datetime64[ns]"), running], axis=1).min(axis=1)
            result[f"{step}_at"] = running
            result[f"reached_{step}"] = running.notna()
        result["won_amount"] = opp_of_lead.map(pd.to_numeric(opps["amount"])).where(result["reached_won"])
        return result

    @staticmethod
    def reporting_date(utc: pd.Series) -> pd.Series:
        return utc.dt.tz_localize("UTC").dt.tz_convert(TIME_ZONE).dt.tz_localize(None).dt.normalize()

    # -- who did it, as they were then -----------------------------------------------
    @cached_property
    def user_periods(self) -> pd.DataFrame:
        """Each user's CRM department (mapped by the seed) and team (role id) from every
        version of the user rows: a version counts from its day in Tokyo (the last one
        modified that day: latest modification, then the later file and row) to the
        next version's day; the earliest version also covers the days before it."""
        versions = read_versions(self.landing, "user")
        missing = pd.Series(None, index=versions.index, dtype="string")
        versions["_version_at"] = (
            _utc(versions.get("system_modstamp", missing))
            .fillna(_utc(versions.get("last_modified_date", missing)))
            .fillna(_utc(versions["created_date"]))
        )
        versions["valid_from"] = self.reporting_date(versions["_version_at"])
        versions = versions.sort_values(["id", "_version_at", "_file_order", "_row"])
        versions = versions.drop_duplicates(["id", "valid_from"], keep="last").sort_values(["id", "valid_from"])
        first = ~versions["id"].duplicated()
        versions.loc[first, "valid_from"] = pd.Timestamp("1900-01-01")
        mapping = _seed("department_mapping").set_index("department_value")["department"]
        department = versions["department"].astype("string").str.strip().map(mapping)
        return pd.DataFrame(
            {
                "user_id": versions["id"].to_numpy(),
                "valid_from": versions["valid_from"].to_numpy(),
                "field_department": department.fillna("unassigned").to_numpy(),
                "team_id": versions["user_role_id"].to_numpy(),
            }
        )

    def owner_as_of(self, owner: pd.Series, day: pd.Series) -> pd.DataFrame:
        """Department and team_id of each owner on each day (Tokyo dates): the user's
        period in force that day; a department override of the seed wins inside its
        dates. An owner unknown to the user files: department 'unassigned', no team."""
        asked = pd.DataFrame({"user_id": owner.to_numpy(), "day": pd.to_datetime(day).to_numpy()})
        asked["_order"] = np.arange(len(asked))
        periods = self.user_periods.sort_values("valid_from")
        found = pd.merge_asof(
            asked.dropna(subset=["day"]).sort_values("day"),
            periods,
            left_on="day",
            right_on="valid_from",
            by="user_id",
        )
        found = found.set_index("_order").reindex(asked["_order"])
        department = found["field_department"].fillna("unassigned")
        for row in _seed("user_department_overrides").itertuples():
            starts = pd.Timestamp(row.valid_from) if row.valid_from else pd.Timestamp.min
            ends = pd.Timestamp(row.valid_to) if row.valid_to else pd.Timestamp.max
            hit = (asked["user_id"] == row.user_id).to_numpy() & (found["day"] >= starts).to_numpy()
            hit &= (found["day"] < ends).to_numpy()
            department = department.mask(hit, row.department)
        return pd.DataFrame(
            {"department": department.to_numpy(), "team_id": found["team_id"].to_numpy()}, index=owner.index
        )


# -- pipeline history ----------------------------------------------------------------
def opportunity_states(reference: Reference) -> pd.DataFrame:
    """Every recorded state of every live opportunity: its opportunity_history rows and its
    versions in the extracts, by instant; at one instant the version wins. Columns:
    opportunity_id, at (UTC), day (reporting date), stage_name, amount, close_date, created_day."""
    live = reference.latest("opportunity")
    live = live[live["created_date"] <= reference.as_of]
    history = reference.latest("opportunity_history")
    history = pd.DataFrame(
        {"opportunity_id": history["opportunity_id"], "at": history["created_date"], "priority": 2}
        | {c: history[c] for c in ("stage_name", "amount", "close_date")}
    )
    versions = read_versions(reference.landing, "opportunity")
    missing = pd.Series(None, index=versions.index, dtype="string")
    at = (
        _utc(versions.get("system_modstamp", missing))
        .fillna(_utc(versions.get("last_modified_date", missing)))
        .fillna(_utc(versions["created_date"]))
    )
    versions = pd.DataFrame(
        {"opportunity_id": versions["id"], "at": at, "priority": 1}
        | {c: versions[c] for c in ("stage_name", "amount", "close_date")}
    )
    states = pd.concat([history, versions], ignore_index=True)
    states = states[states["opportunity_id"].isin(live["id"]) & (states["at"] <= reference.as_of)]
    states = states.sort_values(["opportunity_id", "at", "priority"]).drop_duplicates(["opportunity_id", "at"])
    states["day"] = Reference.reporting_date(states["at"])
    states["amount"] = pd.to_numeric(states["amount"]).fillna(0.0)
    states["close_date"] = pd.to_datetime(states["close_date"])
    created = Reference.reporting_date(live.set_index("id")["created_date"])
    states["created_day"] = states["opportunity_id"].map(created)
    return states.reset_index(drop=True)


def open_pipeline_at(states: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The open opportunities as they stood at 00:00 (reporting time zone) of `day`: per
    opportunity its last state dated before the day, or its first state when it was
    created before the day and nothing was recorded until then."""
    day = pd.Timestamp(day)
    before = states[states["day"] < day].groupby("opportunity_id").tail(1).set_index("opportunity_id")
    first = states.groupby("opportunity_id").head(1).set_index("opportunity_id")
    first = first[(first["created_day"] < day) & ~first.index.isin(before.index)]
    standing = pd.concat([before, first])
    closed = _seed("opportunity_stage_mapping").set_index("stage_name")["is_closed"] == "true"
    return standing[~standing["stage_name"].map(closed).fillna(False).astype(bool)]


def reopens(states: pd.DataFrame) -> pd.DataFrame:
    """Each state that brought a closed (won or lost) opportunity back to an open stage:
    opportunity_id, day (of the reopening) and close_date (the reopened deal's)."""
    closed = _seed("opportunity_stage_mapping").set_index("stage_name")["is_closed"] == "true"
    is_closed = states["stage_name"].map(closed).fillna(False).astype(bool)
    was_closed = is_closed.groupby(states["opportunity_id"]).shift().fillna(False).astype(bool)
    return states.loc[was_closed & ~is_closed, ["opportunity_id", "day", "close_date"]]


# -- calendar and target pacing (revision 2) ----------------------------------------------
def business_days(first: pd.Timestamp, last: pd.Timestamp) -> pd.Series:
    """True per date from first to last on a business day: not a weekend, not a public
    holiday (public calendar seed), not in a company holiday range of the company
    holidays seed (every_year month-days, a range wrapping the year end when its last
    day comes first; once: dates)."""
    days = pd.date_range(first, last, freq="D")
    iso, month_day = np.asarray(days.strftime("%Y-%m-%d")), np.asarray(days.strftime("%m-%d"))
    public = set(_seed("business_calendar").query("is_public_holiday == 'true'")["calendar_date"])
    closed = (np.asarray(days.weekday) >= 5) | np.isin(iso, list(public))
    for rule in _seed("company_holidays").itertuples():
        if rule.recurrence == "once":
            closed |= (iso >= rule.first_day) & (iso <= rule.last_day)
        elif rule.first_day <= rule.last_day:
            closed |= (month_day >= rule.first_day) & (month_day <= rule.last_day)
        else:
            closed |= (month_day >= rule.first_day) | (month_day <= rule.last_day)
    return pd.Series(~closed, index=days)


def opportunity_outcomes(reference: Reference) -> pd.DataFrame:
    """Live opportunities: owner, close date, amount (0 when empty), closed and won by the
    stage seed (else the CRM flags), and the chance of winning an open one - its forecast
    category's probability (seed), else its stage's, else 0."""
    opps = reference.latest("opportunity")
    stages = _seed("opportunity_stage_mapping").set_index("stage_name")
    categories = _seed("forecast_category_mapping").set_index("forecast_category")["win_probability"].astype(float)
    stage = opps["stage_name"]
    is_closed = stage.map(stages["is_closed"]).fillna(opps.get("is_closed")).fillna("false").astype(str).str.lower()
    is_won = stage.map(stages["is_won"]).fillna(opps.get("is_won")).fillna("false").astype(str).str.lower()
    category = opps["forecast_category_name"].astype("string").str.strip()
    probability = category.map(categories).astype(float)
    probability = probability.fillna(stage.map(stages["win_probability"].astype(float))).fillna(0.0)
    return pd.DataFrame(
        {
            "owner_id": opps["owner_id"],
            "close_date": pd.to_datetime(opps["close_date"]),
            "amount": pd.to_numeric(opps["amount"]).fillna(0.0),
            "is_closed": is_closed == "true",
            "is_won": is_won == "true",
            "win_probability": probability,
        }
    )


def wins_projection(reference: Reference, start: pd.Timestamp, end: pd.Timestamp) -> dict[str, float]:
    """着地見込 of a department's wins and won amount for the period start..end, on the
    as-of date: won to date plus the open pipeline closing in the period, weighted."""
    outcomes = opportunity_outcomes(reference)
    as_of_date = Reference.reporting_date(pd.Series([reference.as_of])).iloc[0]
    won = outcomes[outcomes["is_won"] & outcomes["close_date"].between(start, as_of_date)]
    open_ = outcomes[~outcomes["is_closed"] & outcomes["close_date"].between(start, end)]
    return {
        "won": len(won) + open_["win_probability"].sum(),
        "won_amount": won["amount"].sum() + (open_["win_probability"] * open_["amount"]).sum(),
    }


# Activity KPIs: a department-level target counts only the records of users in that department on the day.
DEPARTMENT_SCOPED_KPIS = ("appointments", "calls", "connected_calls")
PERIOD_MONTHS = {"month": 1, "fiscal_quarter": 3, "fiscal_half": 6}


def pacing_actuals(reference: Reference) -> pd.DataFrame:
    """Target actuals per record (reporting time zone): kpi, day, value, owner_id and the
    owner's department and team_id on the day. Leads and quality leads by creation (lead
    owner), hand-offs by the day the lead reached the step (lead owner), appointments
    (meetings booked) by booking day, completed calls and connected calls by day (the
    activity's owner), opportunities by creation, wins and won amount by close date
    (opportunity owner)."""
    leads = reference.leads.set_index("id")
    created = Reference.reporting_date(leads["created_date"])
    funnel = reference.funnel()
    is_quality = reference.quality()["lead_quality"].reindex(created.index) == "quality"
    outcomes = opportunity_outcomes(reference)
    won = outcomes[outcomes["is_won"]]
    opps = reference.latest("opportunity")
    opps = opps[opps["created_date"] <= reference.as_of]
    acts = reference.activities
    calls = acts[(acts["activity_type"] == "call") & acts["is_completed"]]
    booked = reference.appointments()
    reached = funnel[funnel["reached_handed_off"]]

    def part(kpi: str, day: pd.Series, owner: pd.Series, value: object = 1.0) -> pd.DataFrame:
        return pd.DataFrame({"kpi": kpi, "day": day.to_numpy(), "owner_id": owner.to_numpy(), "value": value})

    parts = [
        part("leads", created, leads["owner_id"]),
        part("quality_leads", created[is_quality], leads.loc[is_quality, "owner_id"]),
        part(
            "handed_off", Reference.reporting_date(reached["handed_off_at"]), leads["owner_id"].reindex(reached.index)
        ),
        part("appointments", booked["day"], booked["owner_id"]),
        part("calls", Reference.reporting_date(calls["created_date"]), calls["owner_id"]),
        part(
            "connected_calls",
            Reference.reporting_date(calls.loc[calls["is_connected"], "created_date"]),
            calls.loc[calls["is_connected"], "owner_id"],
        ),
        part("opportunities", Reference.reporting_date(opps["created_date"]), opps["owner_id"]),
        part("won", won["close_date"], won["owner_id"]),
        part("won_amount", won["close_date"], won["owner_id"], won["amount"].to_numpy()),
    ]
    records = pd.concat(parts, ignore_index=True).dropna(subset=["day"])
    # The user periods are dated in microseconds; close dates parse to nanoseconds.
    owners = reference.owner_as_of(records["owner_id"], records["day"].astype("datetime64[us]"))
    return pd.concat([records, owners], axis=1)


def target_actuals(actuals: pd.DataFrame, target) -> pd.Series:
    """A target's actual per day: its owner's records, else its team's (the owner's team
    on the day), else the department's - for activity KPIs only its users' on the day."""
    rows = actuals[actuals["kpi"] == target.kpi]
    if target.owner_id:
        rows = rows[rows["owner_id"] == target.owner_id]
    elif target.team_id:
        rows = rows[rows["team_id"] == target.team_id]
    elif target.kpi in DEPARTMENT_SCOPED_KPIS:
        rows = rows[rows["department"] == target.department]
    return rows.groupby("day")["value"].sum()


def pacing_targets(fiscal_year_start_month: int = 4) -> pd.DataFrame:
    """The targets seed plus the coarser targets it implies: a fiscal quarter the seed does
    not give, as the sum of its three month targets when all three are set; a fiscal half
    the seed does not give, as the sum of its two quarter targets (given or derived) when
    both are. target_source: seed, derived_from_months or derived_from_quarters."""
    seed = _seed("kpi_targets").fillna({"owner_id": "", "team_id": ""})
    seed = seed.assign(
        period_start=pd.to_datetime(seed["period_start"]), target_value=seed["target_value"].astype(float)
    )
    seed["target_source"] = "seed"
    series = ["department", "kpi", "owner_id", "team_id"]

    def derived(finer: pd.DataFrame, grain: str, months: int, parts: int, source: str) -> pd.DataFrame:
        months_into = (finer["period_start"].dt.month - fiscal_year_start_month) % months
        start = pd.Series(
            [s - pd.DateOffset(months=int(m)) for s, m in zip(finer["period_start"], months_into, strict=True)],
            index=finer.index,
            dtype="datetime64[ns]",
        )
        sums = finer.assign(period_start=start).groupby([*series, "period_start"])["target_value"].agg(["sum", "size"])
        sums = sums[sums["size"] == parts].reset_index().rename(columns={"sum": "target_value"})
        given = seed[seed["period_grain"] == grain].set_index([*series, "period_start"]).index
        sums = sums[~sums.set_index([*series, "period_start"]).index.isin(given)]
        return sums.drop(columns="size").assign(period_grain=grain, target_source=source)

    quarters = pd.concat(
        [
            seed[seed["period_grain"] == "fiscal_quarter"],
            derived(seed[seed["period_grain"] == "month"], "fiscal_quarter", 3, 3, "derived_from_months"),
        ],
        ignore_index=True,
    )
    halves = derived(quarters, "fiscal_half", 6, 2, "derived_from_quarters")
    targets = pd.concat([seed[seed["period_grain"] != "fiscal_quarter"], quarters, halves], ignore_index=True)
    months = targets["period_grain"].map(PERIOD_MONTHS)
    targets["period_end_date"] = [
        start + pd.DateOffset(months=int(n)) - pd.Timedelta(days=1)
        for start, n in zip(targets["period_start"], months, strict=True)
    ]
    return targets


def target_daily(reference: Reference) -> pd.DataFrame:
    """Per target (pacing_targets: seed and derived, every level) and day, from the period
    start to the as-of date or the period end: the day's target (period target over its
    business days, 0 on other days), the week's (the period's business days in the ISO
    week, at the same rate), actuals to date (period, week), the gap to the target to
    date, and the pace per business day left - the day included - that lands the period
    target (target_actuals)."""
    as_of_date = Reference.reporting_date(pd.Series([reference.as_of])).iloc[0]
    actuals = pacing_actuals(reference)
    by_kpi = {kpi: rows for kpi, rows in actuals.groupby("kpi")}
    targets = pacing_targets()
    targets = targets[targets["period_start"] <= as_of_date]
    calendar = business_days(targets["period_start"].min(), targets["period_end_date"].max())
    frames = []
    for target in targets.itertuples():
        start, end = target.period_start, target.period_end_date
        is_business = calendar[start:end]
        value, in_period = float(target.target_value), int(is_business.sum())
        weeks = is_business.index - pd.to_timedelta(is_business.index.weekday, unit="D")
        in_week = is_business.groupby(weeks).transform("sum").to_numpy()
        elapsed = is_business.cumsum().to_numpy()
        day = pd.DataFrame(
            {
                "calendar_date": is_business.index,
                "week_start": weeks,
                "is_business_day": is_business.to_numpy(),
                "business_days_elapsed": elapsed,
                "business_days_in_week": in_week,
                "actual_value": target_actuals(by_kpi.get(target.kpi, actuals.iloc[:0]), target)
                .reindex(is_business.index)
                .fillna(0.0)
                .to_numpy(),
            }
        )
        day = day[day["calendar_date"] <= as_of_date]
        day["actual_to_date"] = day["actual_value"].cumsum()
        day["week_actual_to_date"] = day.groupby("week_start")["actual_value"].cumsum()
        day["target_to_date"] = value * (day["business_days_elapsed"] / in_period)
        day["day_target"] = np.where(day["is_business_day"], value / in_period, 0.0)
        day["week_target"] = value * day["business_days_in_week"] / in_period
        day["gap_to_date"] = day["actual_to_date"] - day["target_to_date"]
        day["business_days_remaining"] = in_period - day["business_days_elapsed"] + day["is_business_day"].astype(int)
        remaining = value - (day["actual_to_date"] - day["actual_value"])
        day["remaining_target"] = remaining.clip(lower=0.0)
        day["required_daily_pace"] = (day["remaining_target"] / day["business_days_remaining"]).where(
            day["business_days_remaining"] > 0
        )
        frames.append(
            day.assign(
                department=target.department,
                kpi=target.kpi,
                owner_user_id=target.owner_id,
                team_id=target.team_id,
                period_grain=target.period_grain,
                period_start=start,
                target_source=target.target_source,
                target_value=value,
            )
        )
    return pd.concat(frames, ignore_index=True)


# -- inside sales: personal touches, neglected leads, next actions ---------------------
def personal_touches(reference: Reference) -> pd.DataFrame:
    """Per personal touch on a lead, by anyone: lead_id, owner_id and its day in Tokyo.
    A touch is a completed connected call, a completed one-to-one e-mail (seed
    email_subtype_mapping; an e-mail without a subtype is one-to-one, an unlisted subtype
    is not) or a meeting that started by the as-of instant (dated at its start)."""
    acts = reference.activities.set_index("id")
    events = reference.latest("event").set_index("id")
    starts = _utc(events["start_date_time"]).reindex(acts.index)
    is_call = (acts["activity_type"] == "call") & acts["is_completed"] & acts["is_connected"]
    is_email = acts["is_completed"] & acts["is_one_to_one_email"]
    is_meeting = (acts["activity_type"] == "meeting") & (starts <= reference.as_of)
    touched_at = acts["created_date"].where(~is_meeting, starts)
    touches = pd.DataFrame(
        {"lead_id": acts["lead_id"], "owner_id": acts["owner_id"], "at": touched_at}, index=acts.index
    )[(is_call | is_email | is_meeting) & acts["lead_id"].notna()]
    touches["day"] = Reference.reporting_date(touches["at"])
    return touches


def lead_open_days(reference: Reference) -> pd.DataFrame:
    """Per lead with an owner, created by the as-of instant: owner_id, created (first
    open day) and closed (first day not open: the hand-off day when converted, the last
    change to a disqualified status when disqualified - its creation day without that
    history - NaT while open), Tokyo days."""
    leads = reference.leads.set_index("id")
    leads = leads[leads["owner_id"].notna() & (leads["created_date"] <= reference.as_of)]
    created = Reference.reporting_date(leads["created_date"])
    statuses = _seed("lead_status_mapping")
    disqualifying = set(statuses.loc[statuses["is_disqualified"] == "true", "lead_status"])
    history = reference.latest("lead_history")
    to_disqualified = history[
        (history["field"] == "Status")
        & history["new_value"].isin(disqualifying)
        & (history["created_date"] <= reference.as_of)
    ]
    disqualified_day = Reference.reporting_date(to_disqualified.groupby("lead_id")["created_date"].max())
    handed_off_day = Reference.reporting_date(reference.funnel()["handed_off_at"])
    is_converted = _bool(leads["is_converted"])
    is_disqualified = leads["status"].isin(disqualifying)
    closed = pd.Series(pd.NaT, index=leads.index, dtype="datetime64[ns]")
    closed = closed.mask(is_disqualified, disqualified_day.reindex(leads.index).fillna(created))
    closed = closed.mask(is_converted, handed_off_day.reindex(leads.index))
    return pd.DataFrame({"owner_id": leads["owner_id"], "created": created, "closed": closed})


def neglected_leads(reference: Reference, days: list[pd.Timestamp], neglect_after_days: int = 90) -> pd.DataFrame:
    """Per day in `days` (Tokyo) and lead open at its end, owned by a user in inside
    sales that day: the owner's team that day and whether the lead is neglected - its
    last personal touch by anyone up to the day, or its creation when untouched (or
    touched only before it), lies more than `neglect_after_days` days back."""
    spans = lead_open_days(reference)
    touches = personal_touches(reference)
    found = []
    for day in days:
        open_ = spans[(spans["created"] <= day) & ~(spans["closed"] <= day)].copy()
        last_touch = touches[touches["day"] <= day].groupby("lead_id")["day"].max()
        anchor = pd.concat([open_["created"], last_touch.reindex(open_.index)], axis=1).max(axis=1)
        open_["is_neglected"] = (day - anchor).dt.days > neglect_after_days
        open_["day"] = day
        found.append(open_)
    leads = pd.concat(found).rename_axis("lead_id").reset_index()
    owner = reference.owner_as_of(leads["owner_id"], leads["day"])
    leads["team_id"] = owner["team_id"].fillna("unassigned")
    return leads[owner["department"] == "inside_sales"]


def next_actions(reference: Reference) -> pd.DataFrame:
    """Per lead open at the as-of instant and owned by a user in inside sales on the
    as-of date: owner_id and whether it has a next action - an open task on it (by
    anyone) due on or after the as-of date, or a meeting on it starting after the as-of
    instant."""
    as_of_day = Reference.reporting_date(pd.Series([reference.as_of])).iloc[0]
    spans = lead_open_days(reference)
    open_ = spans[~(spans["closed"] <= as_of_day)].copy()
    acts = reference.activities.set_index("id")
    tasks = reference.latest("task").set_index("id")
    events = reference.latest("event").set_index("id")
    due = pd.to_datetime(tasks["activity_date"]).reindex(acts.index)
    starts = _utc(events["start_date_time"]).reindex(acts.index)
    planned_task = (acts["source"] == "task") & ~acts["is_completed"] & (due >= as_of_day)
    meeting_to_come = (acts["activity_type"] == "meeting") & (starts > reference.as_of)
    with_next_action = set(acts.loc[planned_task | meeting_to_come, "lead_id"].dropna())
    open_["has_next_action"] = open_.index.isin(with_next_action)
    owner = reference.owner_as_of(open_["owner_id"], pd.Series(as_of_day, index=open_.index))
    return open_[owner["department"] == "inside_sales"]


# -- field sales: hand-off follow-ups ----------------------------------------------------
def handoff_follow_ups(reference: Reference, follow_within_business_days: int = 5) -> pd.DataFrame:
    """Per handed-off lead: lead_quality, owner_id (its converted opportunity's owner,
    else the lead's), handed_off_day, business_days_to_follow_up (business days after the
    hand-off day up to the first follow-up's day; NaN without one), is_followed and
    is_window_closed (more than `follow_within_business_days` business days between the
    hand-off day and the as-of day). A follow-up is a completed call, a completed
    one-to-one e-mail or a meeting, logged at or after the hand-off instant by a user in
    field sales on its day, on the lead or its converted contact, the converted
    opportunity or that opportunity's account."""
    funnel = reference.funnel()
    handoffs = funnel.loc[funnel["reached_handed_off"], ["handed_off_at"]].copy()
    leads = reference.leads.set_index("id")
    opps = reference.latest("opportunity").set_index("id")
    opportunity = leads["converted_opportunity_id"].reindex(handoffs.index)
    opportunity = opportunity.where(opportunity.isin(opps.index))
    handoffs["opportunity_id"] = opportunity
    handoffs["account_id"] = opportunity.map(opps["account_id"])
    handoffs["owner_id"] = opportunity.map(opps["owner_id"]).fillna(leads["owner_id"].reindex(handoffs.index))
    handoffs["lead_quality"] = reference.quality()["lead_quality"].reindex(handoffs.index)
    handoffs["handed_off_day"] = Reference.reporting_date(handoffs["handed_off_at"])

    acts = reference.activities.set_index("id")
    tasks, events = reference.latest("task").set_index("id"), reference.latest("event").set_index("id")
    # An extract may leave the column out (the demo's tasks are all on leads).
    what = pd.concat([t.get("what_id", pd.Series(None, index=t.index, dtype="string")) for t in (tasks, events)])
    what = what.reindex(acts.index)
    personal = _seed("email_subtype_mapping").set_index("task_subtype")["is_personal"] == "true"
    subtype = tasks["task_subtype"].reindex(acts.index).astype("string").str.strip()
    is_personal_email = subtype.map(personal).astype("boolean").fillna(subtype.isna()).astype(bool)
    kind = acts["activity_type"]
    logged = acts[
        acts["is_completed"] & (kind.isin(["call", "meeting"]) | ((kind == "email") & is_personal_email))
    ].assign(what_id=what)
    logged["day"] = Reference.reporting_date(logged["created_date"])
    in_field_sales = reference.owner_as_of(logged["owner_id"], logged["day"])["department"] == "field_sales"
    logged = logged[in_field_sales]
    keyed = handoffs.rename_axis("handoff_lead_id").reset_index()
    matches = pd.concat(
        [
            keyed.merge(logged, left_on="handoff_lead_id", right_on="lead_id"),
            keyed.dropna(subset=["opportunity_id"]).merge(logged, left_on="opportunity_id", right_on="what_id"),
            keyed.dropna(subset=["account_id"]).merge(logged, left_on="account_id", right_on="what_id"),
        ]
    )
    matches = matches[matches["created_date"] >= matches["handed_off_at"]]
    first_day = matches.groupby("handoff_lead_id")["created_date"].min().pipe(Reference.reporting_date)

    as_of_day = Reference.reporting_date(pd.Series([reference.as_of])).iloc[0]
    calendar = business_days(handoffs["handed_off_day"].min() - pd.Timedelta(days=1), as_of_day)
    number = calendar.cumsum()
    handoff_number = handoffs["handed_off_day"].map(number)
    handoffs["business_days_to_follow_up"] = first_day.reindex(handoffs.index).map(number) - handoff_number
    handoffs["is_followed"] = handoffs["business_days_to_follow_up"] <= follow_within_business_days
    handoffs["is_window_closed"] = number[as_of_day] - handoff_number > follow_within_business_days
    return handoffs.rename_axis("lead_id").reset_index()


def follow_rates(follow_ups: pd.DataFrame, fiscal_year_start_month: int = 4) -> pd.DataFrame:
    """kpi_field_sales' follow-rate columns per period grain (month, fiscal_quarter),
    period_start, owner_id and lead_quality (quality, general, all) from
    handoff_follow_ups: hand-offs whose window has closed, those followed, the follow rate
    and the median business days to follow-up of the followed ones."""
    closed = follow_ups[follow_ups["is_window_closed"]].copy()
    day = closed["handed_off_day"]
    months = day.dt.year * 12 + day.dt.month - 1
    quarter_months = months - (day.dt.month - fiscal_year_start_month) % 3
    starts = {
        grain: pd.to_datetime(pd.DataFrame({"year": m // 12, "month": m % 12 + 1, "day": 1}))
        for grain, m in (("month", months), ("fiscal_quarter", quarter_months))
    }
    rows = []
    for grain, start in starts.items():
        framed = closed.assign(period_grain=grain, period_start=start)
        for quality in (None, "quality", "general"):
            part = framed if quality is None else framed[framed["lead_quality"] == quality]
            grouped = part.groupby(["period_grain", "period_start", "owner_id"])
            days = part[part["is_followed"]].groupby(["period_grain", "period_start", "owner_id"])
            rows.append(
                pd.DataFrame(
                    {
                        "handoffs": grouped.size(),
                        "followed_handoffs": grouped["is_followed"].sum(),
                        "median_business_days_to_follow_up": days["business_days_to_follow_up"].median(),
                    }
                )
                .reset_index()
                .assign(lead_quality=quality or "all")
            )
    rates = pd.concat(rows, ignore_index=True)
    rates["follow_rate"] = rates["followed_handoffs"] / rates["handoffs"]
    return rates


# -- inside sales: speed to lead ---------------------------------------------------------
RESPONSE_BUCKETS = ["within_1_hour", "1_to_4_hours", "same_business_day", "later", "never"]


def _local(utc: pd.Series) -> pd.Series:
    """UTC instants as wall-clock time in the reporting time zone."""
    return utc.dt.tz_localize("UTC").dt.tz_convert(TIME_ZONE).dt.tz_localize(None)


class BusinessHours:
    """Business hours (wall clock, reporting time zone) on the business days of the
    calendar seeds, from `first` to `last` (dates)."""

    def __init__(self, first: pd.Timestamp, last: pd.Timestamp, opening: str = "09:00", closing: str = "18:00"):
        self.is_business = business_days(first, last)
        self.days = self.is_business.index[self.is_business.to_numpy()]
        self.opening, self.closing = pd.Timedelta(f"{opening}:00"), pd.Timedelta(f"{closing}:00")

    def _on(self, days: pd.Series) -> np.ndarray:
        return self.is_business.reindex(days).fillna(False).to_numpy(dtype=bool)

    def _overlap(self, days: pd.Series, low: pd.Series, high: pd.Series) -> pd.Series:
        """Minutes of [low, high] inside each day's hours (0 on a day off)."""
        start = np.maximum(low, days + self.opening)
        end = np.minimum(high, days + self.closing)
        return ((end - start).dt.total_seconds() / 60).clip(lower=0).where(self._on(days), 0.0)

    def minutes(self, start: pd.Series, end: pd.Series) -> pd.Series:
        """Business minutes from start to end: the first and last day clipped to their
        hours, every business day in between whole; NaN where end is missing."""
        first, last = start.dt.normalize(), end.dt.normalize()
        same = first == last
        first_part = self._overlap(first, start, end.where(same, first + pd.Timedelta(days=1)))
        last_part = self._overlap(last, last, end).where(~same, 0.0)
        counted = self.is_business.cumsum()
        between = counted.reindex(last).to_numpy() - counted.reindex(first).to_numpy() - self._on(last)
        day_minutes = (self.closing - self.opening).total_seconds() / 60
        whole = np.where(same, 0.0, between * day_minutes)
        return (first_part + last_part + whole).where(end.notna())

    def next_business_day(self, days: pd.Series, include_same: bool) -> pd.Series:
        position = np.searchsorted(self.days, days.to_numpy(), side="left" if include_same else "right")
        return pd.Series(self.days[position], index=days.index)

    def first_business_day(self, at: pd.Series) -> pd.Series:
        """The first business day whose hours had not ended at `at`."""
        day = at.dt.normalize()
        still_open = self._on(day) & (at < day + self.closing).to_numpy()
        return self.next_business_day(day, include_same=True).where(still_open, self.next_business_day(day, False))


def speed_to_lead(
    reference: Reference, sla_minutes: float = 60, opening: str = "09:00", closing: str = "18:00"
) -> pd.DataFrame:
    """Per lead created by the as-of instant: the first inside-sales attempt (a completed
    call, or a completed e-mail that the e-mail subtype seed marks personal or that has no
    subtype, by a user in inside sales that day, at or after the lead's creation; ties by
    activity id), the first connected call, business minutes to each, the response
    bucket (at most 60 / 240 business minutes; same business day: by the opening after
    the lead's first business day; later; never), whether within `sla_minutes`, the rep
    (the attempt's owner, else the lead owner) with department and team that day (else
    on the creation day), quality and whether it reached an appointment / opportunity."""
    funnel = reference.funnel()
    leads = reference.leads.set_index("id")
    leads = leads[funnel["reached_lead"].reindex(leads.index).fillna(False).astype(bool)]
    created = leads["created_date"]
    acts = reference.activities
    subtype = acts["id"].map(reference.latest("task").set_index("id")["task_subtype"]).astype("string").str.strip()
    personal = _seed("email_subtype_mapping").set_index("task_subtype")["is_personal"] == "true"
    one_to_one = subtype.map(personal).astype("boolean").fillna(subtype.isna()).astype(bool)
    is_attempt = (acts["activity_type"] == "call") | ((acts["activity_type"] == "email") & one_to_one)
    attempts = acts[is_attempt & acts["is_completed"] & acts["lead_id"].isin(leads.index)].copy()
    attempts = attempts[attempts["created_date"] >= attempts["lead_id"].map(created)]
    owner = reference.owner_as_of(attempts["owner_id"], Reference.reporting_date(attempts["created_date"]))
    attempts = attempts[owner["department"] == "inside_sales"].assign(team_id=owner["team_id"])
    attempts = attempts.sort_values(["lead_id", "created_date", "id"])
    first = attempts.drop_duplicates("lead_id").set_index("lead_id")
    connected = attempts[attempts["is_connected"]].groupby("lead_id")["created_date"].min()

    result = pd.DataFrame(index=leads.index)
    result["lead_quality"] = reference.quality()["lead_quality"].reindex(leads.index)
    result["created_at"] = created
    result["created_day"] = Reference.reporting_date(created)
    result["first_attempt_at"] = first["created_date"].reindex(leads.index)
    never = result["first_attempt_at"].isna()
    owner_then = reference.owner_as_of(leads["owner_id"], result["created_day"])
    result["rep_user_id"] = first["owner_id"].reindex(leads.index).where(~never, leads["owner_id"])
    result["rep_department"] = owner_then["department"].where(never, "inside_sales")
    result["team_id"] = first["team_id"].reindex(leads.index).where(~never, owner_then["team_id"]).fillna("unassigned")

    created_local = _local(created)
    attempt_local = _local(result["first_attempt_at"])
    connect_local = _local(connected.reindex(leads.index))
    hours = BusinessHours(
        created_local.min().normalize(),
        _local(pd.Series([reference.as_of])).iloc[0] + pd.Timedelta(days=40),
        opening,
        closing,
    )
    result["minutes_to_first_attempt"] = hours.minutes(created_local, attempt_local)
    result["minutes_to_first_connect"] = hours.minutes(created_local, connect_local)
    next_opening = hours.next_business_day(hours.first_business_day(created_local), False) + hours.opening
    minutes = result["minutes_to_first_attempt"]
    result["response_bucket"] = np.select(
        [never, minutes <= 60, minutes <= 240, attempt_local <= next_opening],
        ["never", "within_1_hour", "1_to_4_hours", "same_business_day"],
        "later",
    )
    result["is_within_sla"] = minutes <= sla_minutes
    result["is_connected"] = connect_local.notna()
    result["reached_appointment"] = funnel["reached_appointment"].reindex(leads.index)
    result["reached_opportunity"] = funnel["reached_opportunity"].reindex(leads.index)
    return result.rename_axis("lead_id").reset_index()


def speed_to_lead_periods(per_lead: pd.DataFrame, fiscal_year_start_month: int = 4) -> pd.DataFrame:
    """The speed-to-lead mart's figures from speed_to_lead: the leads inside sales answers
    for (rep_department inside_sales) by period (week, month, fiscal quarter of the
    creation day), team, rep ('all' = the team), response bucket ('all' = every bucket)
    and lead quality ('all' = both): counts, shares and the medians (bucket 'all' only)."""
    leads = per_lead[per_lead["rep_department"] == "inside_sales"]
    rows = _rolled_up_by_period(leads, leads["created_day"], "response_bucket", fiscal_year_start_month)
    keys = ["period_grain", "period_start", "team_id", "rep_user_id", "response_bucket", "lead_quality"]
    grouped = rows.groupby(keys)
    figures = pd.DataFrame(
        {
            "leads": grouped.size(),
            "attempted_leads": grouped["first_attempt_at"].count(),
            "leads_attempted_within_sla": grouped["is_within_sla"].sum(),
            "connected_leads": grouped["is_connected"].sum(),
            "leads_with_appointment": grouped["reached_appointment"].sum(),
            "leads_with_opportunity": grouped["reached_opportunity"].sum(),
            "median_business_minutes_to_first_attempt": grouped["minutes_to_first_attempt"].median(),
            "median_business_minutes_to_first_connect": grouped["minutes_to_first_connect"].median(),
        }
    ).reset_index()
    for median in ("median_business_minutes_to_first_attempt", "median_business_minutes_to_first_connect"):
        figures[median] = figures[median].where(figures["response_bucket"] == "all")
    for rate, numerator in (
        ("within_sla_share", "leads_attempted_within_sla"),
        ("lead_to_appointment_rate", "leads_with_appointment"),
        ("lead_to_opportunity_rate", "leads_with_opportunity"),
    ):
        figures[rate] = figures[numerator] / figures["leads"]
    return figures


# -- inside-sales roles -----------------------------------------------------------------
def _first_disqualified_days(reference: Reference) -> pd.Series:
    """Per lead, the first day (Tokyo) it held a disqualified status: its status at creation
    (the first recorded change's old value, else the current status), each recorded Status
    change by the as-of instant, and a current status no change recorded (at its version)."""
    statuses = _seed("lead_status_mapping")
    disqualified = set(statuses.loc[statuses["is_disqualified"] == "true", "lead_status"])
    leads = reference.leads.set_index("id")
    history = reference.latest("lead_history")
    changes = history[(history["field"] == "Status") & (history["created_date"] <= reference.as_of)]
    changes = changes[changes["lead_id"].isin(leads.index)].sort_values(["lead_id", "created_date", "id"])
    first_old = changes.drop_duplicates("lead_id", keep="first").set_index("lead_id")["old_value"]
    last_new = changes.drop_duplicates("lead_id", keep="last").set_index("lead_id")["new_value"]
    initial = first_old.reindex(leads.index).where(leads.index.isin(first_old.index), leads["status"])
    moments = [
        pd.DataFrame({"lead_id": leads.index, "at": leads["created_date"], "status": initial.to_numpy()}),
        pd.DataFrame({"lead_id": changes["lead_id"], "at": changes["created_date"], "status": changes["new_value"]}),
    ]
    unrecorded = leads.index.isin(last_new.index) & (leads["status"] != last_new.reindex(leads.index)).to_numpy()
    moments.append(
        pd.DataFrame(
            {
                "lead_id": leads.index[unrecorded],
                "at": leads["_version_at"][unrecorded],
                "status": leads["status"][unrecorded],
            }
        )
    )
    states = pd.concat(moments, ignore_index=True)
    states = states[states["status"].isin(disqualified)]
    return Reference.reporting_date(states["at"]).groupby(states["lead_id"].to_numpy()).min()


def inside_sales_roles(reference: Reference, recycle_after_days: int = 90) -> pd.DataFrame:
    """Per inside-sales activity (its owner in inside sales that day) and per opportunity
    from a lead whose owner was in inside sales on the creation day: day, rep, team, lead
    quality (no_lead without a lead), counts, win, and the role - the first rule of the
    role seed by precedence whose given conditions hold on the record's day, else nurture.
    Conditions: lead source (the lead's, else the opportunity's), opportunity type (an
    activity's related opportunity, else its lead's once created), existing customer (a
    deal won on the account before the day, or type Customer with no won deal at all),
    re-engaged (the lead disqualified, or a deal of the lead or account lost, at least
    `recycle_after_days` before the day), has lead."""
    leads = reference.leads.set_index("id")
    quality = reference.quality()["lead_quality"]
    opps = reference.latest("opportunity")
    outcomes = opportunity_outcomes(reference)
    opps = opps.assign(
        is_won=outcomes["is_won"],
        is_lost=outcomes["is_closed"] & ~outcomes["is_won"],
        closed_day=pd.to_datetime(opps["close_date"]).where(outcomes["is_closed"]),
        created_day=Reference.reporting_date(opps["created_date"]),
        amount_value=pd.to_numeric(opps["amount"]),
    )
    opps = opps[opps["created_date"] <= reference.as_of]
    originating = leads.dropna(subset=["converted_opportunity_id"]).reset_index()
    opps["lead_id"] = opps["id"].map(originating.groupby("converted_opportunity_id")["id"].min())
    by_id = opps.set_index("id")

    acts = reference.activities.copy()
    linked = pd.concat(
        [reference.latest(o).reindex(columns=["id", "what_id", "account_id"]) for o in ("task", "event")],
        ignore_index=True,
    ).set_index("id")
    acts["day"] = Reference.reporting_date(acts["created_date"])
    owner = reference.owner_as_of(acts["owner_id"], acts["day"])
    acts = acts[owner["department"] == "inside_sales"].assign(team_id=owner["team_id"])
    related = acts["id"].map(linked["what_id"]).where(lambda s: s.isin(by_id.index))
    converted = acts["lead_id"].map(leads["converted_opportunity_id"])
    converted = converted.where(converted.map(by_id["created_date"]) <= acts["created_date"])
    activity_records = pd.DataFrame(
        {
            "record_type": "activity",
            "record_id": acts["id"],
            "rep_user_id": acts["owner_id"],
            "team_id": acts["team_id"],
            "day": acts["day"],
            "lead_id": acts["lead_id"],
            "account_id": acts["id"]
            .map(linked["account_id"])
            .fillna(related.map(by_id["account_id"]))
            .fillna(converted.map(by_id["account_id"])),
            "lead_source": acts["lead_id"]
            .map(leads["lead_source"])
            .fillna(related.map(by_id["lead_source"]))
            .fillna(converted.map(by_id["lead_source"])),
            "opportunity_type": related.map(by_id["type"]).fillna(converted.map(by_id["type"])),
            "calls": ((acts["activity_type"] == "call") & acts["is_completed"]).astype(int),
            "connected_calls": ((acts["activity_type"] == "call") & acts["is_completed"] & acts["is_connected"]).astype(
                int
            ),
            "appointments": ((acts["activity_type"] == "meeting") & acts["lead_id"].notna()).astype(int),
            "opportunities": 0,
            "won_day": pd.NaT,
            "won_amount": np.nan,
        }
    )
    sourced = opps[opps["lead_id"].notna()]
    lead_owner = sourced["lead_id"].map(leads["owner_id"])
    owner = reference.owner_as_of(lead_owner, sourced["created_day"])
    inside = (owner["department"] == "inside_sales").to_numpy()
    sourced, lead_owner, owner = sourced[inside], lead_owner[inside], owner[inside]
    opportunity_records = pd.DataFrame(
        {
            "record_type": "opportunity",
            "record_id": sourced["id"],
            "rep_user_id": lead_owner,
            "team_id": owner["team_id"],
            "day": sourced["created_day"],
            "lead_id": sourced["lead_id"],
            "account_id": sourced["account_id"],
            "lead_source": sourced["lead_id"].map(leads["lead_source"]).fillna(sourced["lead_source"]),
            "opportunity_type": sourced["type"],
            "calls": 0,
            "connected_calls": 0,
            "appointments": 0,
            "opportunities": 1,
            "won_day": sourced["closed_day"].where(sourced["is_won"]),
            "won_amount": sourced["amount_value"].where(sourced["is_won"]),
        }
    )
    records = pd.concat([activity_records, opportunity_records], ignore_index=True)
    records["team_id"] = records["team_id"].fillna("unassigned")
    records["lead_quality"] = records["lead_id"].map(quality).fillna("no_lead")

    closed = opps[opps["closed_day"].notna()]
    won_since = closed[closed["is_won"]].groupby("account_id")["closed_day"].min()
    lost = closed[closed["is_lost"]]
    first_loss = pd.concat(
        [
            records["lead_id"].map(lost.groupby("lead_id")["closed_day"].min()),
            records["account_id"].map(lost.groupby("account_id")["closed_day"].min()),
            records["lead_id"].map(_first_disqualified_days(reference)),
        ],
        axis=1,
    ).min(axis=1)
    wait = pd.Timedelta(days=recycle_after_days)
    records["is_re_engaged"] = (first_loss + wait <= records["day"]).fillna(False).astype(bool)
    account_type = records["account_id"].map(reference.latest("account").set_index("id")["type"])
    records["is_existing_customer"] = (records["account_id"].map(won_since) < records["day"]).fillna(False).astype(
        bool
    ) | ((account_type == "Customer") & ~records["account_id"].isin(won_since.index)).to_numpy()
    records["has_lead"] = records["lead_id"].notna()

    records["sales_role"], records["role_rule_id"] = None, None
    rules = _seed("inside_sales_role_rules")
    for rule in rules.assign(order=rules["precedence"].astype(int)).sort_values("order").itertuples():
        hit = records["sales_role"].isna()
        if rule.lead_sources:
            hit &= records["lead_source"].isin(rule.lead_sources.split("|"))
        if rule.opportunity_type:
            hit &= records["opportunity_type"] == rule.opportunity_type
        for flag in ("is_existing_customer", "is_re_engaged", "has_lead"):
            if getattr(rule, flag):
                hit &= records[flag] == (getattr(rule, flag) == "true")
        records.loc[hit, ["sales_role", "role_rule_id"]] = [rule.role, rule.rule_id]
    records["role_rule_id"] = records["role_rule_id"].fillna("default")
    records["sales_role"] = records["sales_role"].fillna("nurture")
    return records


def inside_sales_role_periods(
    records: pd.DataFrame, as_of_day: pd.Timestamp, fiscal_year_start_month: int = 4
) -> pd.DataFrame:
    """The roles mart's counts from inside_sales_roles: activities and opportunities on
    their day, wins on the close day (with the opportunity's rep, team and role), up to
    the as-of day, by period (week, month, fiscal quarter), team, rep ('all' = the team),
    role ('all') and lead quality ('all'); only rows with a count."""
    counts = ["calls", "connected_calls", "appointments", "opportunities", "won", "won_amount"]
    keys = ["team_id", "rep_user_id", "sales_role", "lead_quality"]
    dated = pd.concat(
        [
            records[keys + counts[:4]].assign(day=records["day"], won=0, won_amount=0.0),
            records[records["won_day"].notna()][keys]
            .assign(day=records["won_day"], won=1, won_amount=records["won_amount"].fillna(0.0))
            .assign(calls=0, connected_calls=0, appointments=0, opportunities=0),
        ],
        ignore_index=True,
    )
    dated = dated[dated["day"] <= as_of_day]
    rows = _rolled_up_by_period(dated, dated["day"], "sales_role", fiscal_year_start_month)
    figures = rows.groupby(["period_grain", "period_start", *keys])[counts].sum().reset_index()
    return figures[(figures[counts] != 0).any(axis=1)]


def _rolled_up_by_period(
    frame: pd.DataFrame, day: pd.Series, dimension: str, fiscal_year_start_month: int
) -> pd.DataFrame:
    """Each row once per period grain (week, month, fiscal quarter of `day`) and once per
    combination of rep, `dimension` and lead quality either kept or rolled up to 'all'."""
    shifted = day - pd.DateOffset(months=fiscal_year_start_month - 1)
    starts = {
        "week": day - pd.to_timedelta(day.dt.day_of_week, unit="D"),
        "month": day.dt.to_period("M").dt.start_time,
        "fiscal_quarter": shifted.dt.to_period("Q").dt.start_time + pd.DateOffset(months=fiscal_year_start_month - 1),
    }
    frames = [
        frame.assign(
            period_grain=grain,
            period_start=start,
            rep_user_id=frame["rep_user_id"] if rep else "all",
            **{dimension: frame[dimension] if keep else "all"},
            lead_quality=frame["lead_quality"] if quality else "all",
        )
        for grain, start in starts.items()
        for rep in (True, False)
        for keep in (True, False)
        for quality in (True, False)
    ]
    return pd.concat(frames, ignore_index=True)
