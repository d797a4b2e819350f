"""The raw extract contract (shared/CONTRACT.md) as data.

One place says which objects exist, which columns each has, which are required and
what type each column is cast to on ingestion. The generator, the loader and the
staging models' tests all read this module, so a new CRM field is added here once.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Logical column types. The loader casts text to these and quarantines rows that fail.
TEXT = "text"
TIMESTAMP = "timestamp"  # UTC instant; stored as naive UTC TIMESTAMP
DATE = "date"
BOOLEAN = "boolean"
INTEGER = "integer"
DOUBLE = "double"

SQL_TYPES = {
    TEXT: "VARCHAR",
    TIMESTAMP: "TIMESTAMP",
    DATE: "DATE",
    BOOLEAN: "BOOLEAN",
    INTEGER: "BIGINT",
    DOUBLE: "DOUBLE",
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str = TEXT
    required: bool = False


@dataclass(frozen=True)
class CrmObject:
    name: str
    columns: tuple[Column, ...]
    required_object: bool = False
    # Salesforce Data Export file stem (``Lead.csv``) that maps to this object.
    salesforce_name: str = ""
    extra_names: tuple[str, ...] = field(default_factory=tuple)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required_columns(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no contract column {name!r}")


COMMON = (
    Column("id", TEXT, required=True),
    Column("created_date", TIMESTAMP, required=True),
    Column("system_modstamp", TIMESTAMP),
    Column("last_modified_date", TIMESTAMP),
    Column("is_deleted", BOOLEAN),
)


def _obj(name: str, sf_name: str, cols: list[Column], required_object: bool = False) -> CrmObject:
    return CrmObject(name, COMMON + tuple(cols), required_object, sf_name)


T, TS, D, B, I, F = TEXT, TIMESTAMP, DATE, BOOLEAN, INTEGER, DOUBLE
C = Column

OBJECTS: dict[str, CrmObject] = {
    o.name: o
    for o in [
        _obj("user", "User", [
            C("name", T, True), C("department"), C("user_role_id"), C("manager_id"), C("title"),
            C("is_active", B), C("time_zone_sid_key"),
        ], required_object=True),
        _obj("user_role", "UserRole", [C("name"), C("developer_name"), C("parent_role_id")]),
        _obj("account", "Account", [
            C("name"), C("owner_id"), C("type"), C("industry"), C("number_of_employees", I),
            C("annual_revenue", F), C("billing_country_code"), C("account_source"),
        ]),
        _obj("lead", "Lead", [
            C("owner_id", T, True), C("status", T, True), C("lead_source"), C("company"), C("title"),
            C("industry"), C("number_of_employees", I), C("annual_revenue", F), C("country_code"),
            C("rating"), C("is_converted", B), C("converted_date", D), C("converted_account_id"),
            C("converted_contact_id"), C("converted_opportunity_id"), C("master_record_id"),
        ], required_object=True),
        _obj("contact", "Contact", [
            C("account_id"), C("owner_id"), C("lead_source"), C("title"), C("department"),
        ]),
        _obj("campaign", "Campaign", [
            C("name"), C("type"), C("status"), C("start_date", D), C("end_date", D),
            C("budgeted_cost", F), C("actual_cost", F), C("parent_id"),
        ]),
        _obj("campaign_member", "CampaignMember", [
            C("campaign_id"), C("lead_id"), C("contact_id"), C("status"), C("has_responded", B),
            C("first_responded_date", D),
        ]),
        _obj("task", "Task", [
            C("who_id"), C("what_id"), C("account_id"), C("owner_id", T, True), C("type"),
            C("task_subtype"), C("subject"), C("status"), C("is_closed", B), C("activity_date", D),
            C("completed_date_time", TS), C("call_type"), C("call_disposition"),
            C("call_duration_in_seconds", I), C("hearing_item_count_c", I),
        ], required_object=True),
        _obj("event", "Event", [
            C("who_id"), C("what_id"), C("account_id"), C("owner_id", T, True), C("type"),
            C("event_subtype"), C("subject"), C("activity_date", D), C("start_date_time", TS),
            C("end_date_time", TS), C("duration_in_minutes", I),
        ], required_object=True),
        _obj("opportunity", "Opportunity", [
            C("account_id"), C("owner_id", T, True), C("campaign_id"), C("type"), C("lead_source"),
            C("stage_name", T, True), C("is_closed", B), C("is_won", B), C("amount", F),
            C("probability", F), C("forecast_category_name"), C("close_date", D),
            C("currency_iso_code"),
        ], required_object=True),
        _obj("opportunity_history", "OpportunityHistory", [
            C("opportunity_id", T, True), C("stage_name", T, True), C("amount", F),
            C("close_date", D), C("probability", F),
        ]),
        _obj("lead_history", "LeadHistory", [
            C("lead_id", T, True), C("field", T, True), C("old_value"), C("new_value"),
        ]),
    ]
}

# Ingestion metadata columns added to every raw table.
META_COLUMNS = ("_source_file", "_source_row", "_file_seq", "_loaded_at")
