"""An independent pandas reading of the raw landing files and of KPI_SPEC.md.

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
COUNT_COLUMNS = dict(zip(_FUNNEL_SEED["funnel_step"], _FUNNEL_SEED["count_column"]))
TIME_ZONE = "Asia/Tokyo"
HISTORY_FIELDS = {"industry": "Industry", "number_of_employees": "NumberOfEmployees",
                  "annual_revenue": "AnnualRevenue", "title": "Title", "lead_source": "LeadSource",
                  "country_code": "CountryCode", "rating": "Rating", "company": "Company"}


def _snake(header: str) -> str:
    header = header.strip().lstrip("\ufeff")
    header = re.sub(r"__c$", "_c", header)
    header = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", header)
    return header.lower()


def _read(path: Path) -> pd.DataFrame:
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path).astype("string")
    else:
        raw = path.read_bytes()
        try:
            text_encoding = "utf-8-sig"
            raw.decode(text_encoding)
        except UnicodeDecodeError:
            text_encoding = "cp932"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=text_encoding)
    frame.columns = [_snake(c) for c in frame.columns]
    frame = frame.replace({"": None})
    frame["_file"] = path.name
    frame["_row"] = np.arange(len(frame))
    return frame


def _utc(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True, format="mixed").dt.tz_localize(None)


def _bool(series: pd.Series) -> pd.Series:
    return series.fillna("false").str.lower().isin(["true", "1", "yes"])


def _seed(name: str) -> pd.DataFrame:
    return pd.read_csv(SEEDS / f"{name}.csv", dtype=str, keep_default_na=False).replace({"": None})


class Reference:
    """The landing folder read as the spec says, object by object."""

    def __init__(self, landing: Path):
        self.landing = Path(landing)

    def latest(self, obj: str, keep_deleted: bool = False) -> pd.DataFrame:
        """Current version per id: greatest system_modstamp, then later file, then later row."""
        files = sorted((self.landing / obj).glob("*"))
        frame = pd.concat([_read(f) for f in files], ignore_index=True)
        frame["_file_order"] = frame["_file"].map({f.name: i for i, f in enumerate(files)})
        frame["created_date"] = _utc(frame["created_date"])
        version = frame.get("system_modstamp", pd.Series(None, index=frame.index))
        frame["_version_at"] = _utc(version).fillna(frame["created_date"])
        frame = frame.sort_values(["id", "_version_at", "_file_order", "_row"])
        frame = frame.drop_duplicates("id", keep="last")
        frame["is_deleted"] = _bool(frame.get("is_deleted", pd.Series(None, index=frame.index)))
        if not keep_deleted:
            frame = frame[~frame["is_deleted"]]
        return frame.reset_index(drop=True)

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
        return pd.DataFrame({
            "quality_score": score,
            "lead_quality": np.where(score >= min_points, "quality", "general"),
            "quality_reasons": [",".join(sorted(reasons[i])) or None for i in values.index],
        }, index=values.index)

    # -- funnel --------------------------------------------------------------------
    @cached_property
    def activities(self) -> pd.DataFrame:
        """Calls, e-mails and meetings with their lead (who_id, or the converted contact)."""
        leads = self.leads
        contact_to_lead = leads.dropna(subset=["converted_contact_id"]).groupby("converted_contact_id")["id"].min()
        dispositions = _seed("call_disposition_mapping")
        connected = dict(zip(dispositions.call_disposition.str.strip().str.lower(), dispositions.is_connected == "true"))
        tasks = self.latest("task")
        subtype, kind = tasks.get("task_subtype"), tasks.get("type")
        tasks["activity_type"] = np.select(
            [(subtype == "Call") | (kind == "Call"), (subtype == "Email") | (kind == "Email")], ["call", "email"], "task")
        tasks["is_connected"] = (tasks["activity_type"] == "call") & tasks["call_disposition"].fillna("").str.strip().str.lower().map(connected).fillna(False).astype(bool)
        tasks["hearing"] = pd.to_numeric(tasks["hearing_item_count_c"], errors="coerce").fillna(0)
        closed = tasks["is_closed"].fillna("true").str.lower().isin(["true", "1"]) if "is_closed" in tasks else True
        tasks["is_completed"] = closed
        events = self.latest("event")
        event_types = _seed("event_type_mapping")
        meeting_map = dict(zip(event_types.event_type, event_types.is_meeting == "true"))
        etype = events["type"].fillna("").str.strip()
        events["activity_type"] = np.where(etype.map(meeting_map).fillna(etype == "").astype(bool), "meeting", "event")
        events["is_connected"], events["hearing"], events["is_completed"] = False, 0, True
        cols = ["id", "who_id", "owner_id", "created_date", "activity_type", "is_connected", "hearing", "is_completed"]
        both = pd.concat([tasks[cols].assign(source="task"), events[cols].assign(source="event")], ignore_index=True)
        lead_ids = set(leads["id"])
        both["lead_id"] = both["who_id"].where(both["who_id"].isin(lead_ids), both["who_id"].map(contact_to_lead))
        return both[both["created_date"] <= self.as_of]

    def funnel(self) -> pd.DataFrame:
        """Per lead: <step>_at after the cumulative rule, reached_<step> flags."""
        leads = self.leads.set_index("id")
        as_of = self.as_of
        evidence = pd.DataFrame(index=leads.index)
        evidence["lead"] = leads["created_date"]
        acts = self.activities
        acts = acts[acts["lead_id"].notna() & acts["is_completed"]]
        first = lambda mask: acts[mask].groupby("lead_id")["created_date"].min()
        evidence["worked"] = first(acts["activity_type"].isin(["call", "email"]))
        evidence["contacted"] = first(acts["is_connected"])
        evidence["need_confirmed"] = first((acts["source"] == "task") & (acts["hearing"] >= 1))
        evidence["appointment"] = first(acts["activity_type"] == "meeting")
        # status evidence: history Status changes and the current status
        status_map = _seed("lead_status_mapping").set_index("lead_status")["funnel_step"]
        history = self.latest("lead_history")
        changes = history[history["field"] == "Status"][["lead_id", "new_value", "created_date"]]
        changes.columns = ["lead_id", "status", "at"]
        current = pd.DataFrame({"lead_id": leads.index, "status": leads["status"].values, "at": leads["_version_at"].values})
        statuses = pd.concat([changes, current])
        statuses["step"] = statuses["status"].map(status_map)
        statuses = statuses[statuses["at"] <= as_of]
        for step in ["contacted", "need_confirmed", "appointment", "handed_off"]:
            by_status = statuses[statuses["step"] == step].groupby("lead_id")["at"].min()
            evidence[step] = pd.concat([evidence[step], by_status.reindex(evidence.index)], axis=1).min(axis=1) if step in evidence else by_status
        converted_events = history[history["field"] == "leadConverted"].groupby("lead_id")["created_date"].min()
        converted = _bool(leads["is_converted"]) | leads["converted_date"].notna()
        conversion_at = converted_events.reindex(leads.index).fillna(pd.to_datetime(leads["converted_date"]))
        evidence["handed_off"] = pd.concat([evidence["handed_off"], conversion_at.where(converted)], axis=1).min(axis=1)
        opps = self.latest("opportunity").set_index("id")
        stages = _seed("opportunity_stage_mapping").set_index("stage_name")["stage_category"]
        opp_history = self.latest("opportunity_history")
        opp_history = opp_history[opp_history["opportunity_id"].isin(opps.index)]
        past_proposal = {"proposal", "after_proposal", "won"}
        proposal_hist = opp_history[opp_history["stage_name"].map(stages).isin(past_proposal)].groupby("opportunity_id")["created_date"].min()
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
