"""The raw extract contract as data.

One place says which objects exist, which columns each has, which are required, what
type each column is cast to on ingestion and which values of it are plausible. The
generator, the loader and the staging models' tests all read this module, so a new CRM
field is added here once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

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


# Plausible values (row rules). A value of the right type that no real record holds (a
# 1900 or 9999 placeholder, a negative amount) would load, then fail a reconciliation or
# constraint of the warehouse on every refresh until a correction lands; ingestion
# quarantines its row instead, naming the column and the bound it breaks.
EARLIEST_PLAUSIBLE = date(2000, 1, 1)  # before: an epoch or "0001-01-01" default of a broken export
RECORD_TIME_TOLERANCE = timedelta(days=1)  # clock skew: nothing is created or changed after its load
PLANNED_HORIZON = timedelta(days=730)  # activities, close dates and campaigns may be planned ahead
# Yen: above any deal, budget or company revenue. The field-sales mart bounds the average
# deal size by it; the quality rules read revenue as a 64-bit integer.
MAX_MONEY = 1e15
MAX_CALL_SECONDS = 4 * 3600  # a longer "call" is a line left open
MAX_HEARING_ITEMS = 50  # discovery items confirmed in one conversation
CALENDAR_SEED = "business_calendar"  # the KPI marts report on the dates of this seed only


def describe_span(delta: timedelta) -> str:
    return f"{delta.days} day{'s' if delta.days != 1 else ''}"


@dataclass(frozen=True)
class Bounds:
    """The plausible values of a column beyond its type; None leaves an end open.

    Numbers lie between ``low`` and ``high``. Dates and timestamps lie from
    EARLIEST_PLAUSIBLE, or with ``in_calendar`` from the first day of the business
    calendar seed (a KPI event dated earlier falls in no reporting period), to ``ahead``
    after the load time.
    """

    low: float | None = None
    high: float | None = None
    ahead: timedelta | None = None
    in_calendar: bool = False

    @property
    def is_time(self) -> bool:
        return self.ahead is not None

    def describe(self) -> str:
        """The rule in words, as the documentation lists it."""
        if self.is_time:
            start = f"the first day of seeds/{CALENDAR_SEED}.csv" if self.in_calendar else str(EARLIEST_PLAUSIBLE)
            return f"from {start} to {describe_span(self.ahead)} after the load"
        if self.high is None:
            return f"{self.low:g} or more"
        return f"{self.low:g} to {self.high:g}"


RECORD_TIME = Bounds(ahead=RECORD_TIME_TOLERANCE)  # when a record was created or changed
REPORTED_RECORD_TIME = Bounds(ahead=RECORD_TIME_TOLERANCE, in_calendar=True)  # ... and a KPI counts it then
PLANNED_TIME = Bounds(ahead=PLANNED_HORIZON)  # a business date, possibly ahead
REPORTED_PLANNED_TIME = Bounds(ahead=PLANNED_HORIZON, in_calendar=True)  # ... that dates a KPI event
NOT_NEGATIVE = Bounds(low=0)  # counts, sizes, durations
MONEY = Bounds(low=0, high=MAX_MONEY)  # amounts whatever the stage (won and lost amounts are sums), costs, revenue
PERCENT = Bounds(low=0, high=100)


@dataclass(frozen=True)
class Column:
    name: str
    type: str = TEXT
    required: bool = False
    bounds: Bounds | None = None  # plausible values; every date, timestamp and number has some


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


def _common(reported: bool) -> tuple[Column, ...]:
    """The columns every object has; ``reported``: KPIs count the record on the day it was created."""
    return (
        Column("id", TEXT, required=True),
        Column("created_date", TIMESTAMP, True, REPORTED_RECORD_TIME if reported else RECORD_TIME),
        Column("system_modstamp", TIMESTAMP, bounds=RECORD_TIME),
        Column("last_modified_date", TIMESTAMP, bounds=RECORD_TIME),
        Column("is_deleted", BOOLEAN),
    )


def _obj(
    name: str, sf_name: str, cols: list[Column], required_object: bool = False, *, reported: bool = False
) -> CrmObject:
    return CrmObject(name, _common(reported) + tuple(cols), required_object, sf_name)


T, TS, D, B, I, F = TEXT, TIMESTAMP, DATE, BOOLEAN, INTEGER, DOUBLE  # noqa: E741 (a column-table shorthand)
C = Column
PLANNED, REPORTED = PLANNED_TIME, REPORTED_PLANNED_TIME

OBJECTS: dict[str, CrmObject] = {
    o.name: o
    for o in [
        _obj(
            "user",
            "User",
            [
                C("name", T, True),
                C("department"),
                C("user_role_id"),
                C("manager_id"),
                C("title"),
                C("is_active", B),
                C("time_zone_sid_key"),
            ],
            required_object=True,
        ),
        _obj("user_role", "UserRole", [C("name"), C("developer_name"), C("parent_role_id")]),
        _obj(
            "account",
            "Account",
            [
                C("name"),
                C("owner_id"),
                C("type"),
                C("industry"),
                C("number_of_employees", I, bounds=NOT_NEGATIVE),
                C("annual_revenue", F, bounds=MONEY),
                C("billing_country_code"),
                C("account_source"),
            ],
        ),
        _obj(
            "lead",
            "Lead",
            [
                C("owner_id", T, True),
                C("status", T, True),
                C("lead_source"),
                C("company"),
                C("title"),
                C("industry"),
                C("number_of_employees", I, bounds=NOT_NEGATIVE),
                C("annual_revenue", F, bounds=MONEY),
                C("country_code"),
                C("rating"),
                C("is_converted", B),
                C("converted_date", D, bounds=REPORTED),
                C("converted_account_id"),
                C("converted_contact_id"),
                C("converted_opportunity_id"),
                C("master_record_id"),
            ],
            required_object=True,
            reported=True,
        ),
        _obj(
            "contact",
            "Contact",
            [
                C("account_id"),
                C("owner_id"),
                C("lead_source"),
                C("title"),
                C("department"),
            ],
        ),
        _obj(
            "campaign",
            "Campaign",
            [
                C("name"),
                C("type"),
                C("status"),
                C("start_date", D, bounds=PLANNED),
                C("end_date", D, bounds=PLANNED),
                C("budgeted_cost", F, bounds=MONEY),
                C("actual_cost", F, bounds=MONEY),
                C("parent_id"),
            ],
        ),
        _obj(
            "campaign_member",
            "CampaignMember",
            [
                C("campaign_id"),
                C("lead_id"),
                C("contact_id"),
                C("status"),
                C("has_responded", B),
                C("first_responded_date", D, bounds=PLANNED),
            ],
        ),
        _obj(
            "task",
            "Task",
            [
                C("who_id"),
                C("what_id"),
                C("account_id"),
                C("owner_id", T, True),
                C("type"),
                C("task_subtype"),
                C("subject"),
                C("status"),
                C("is_closed", B),
                C("activity_date", D, bounds=REPORTED),
                C("completed_date_time", TS, bounds=REPORTED),
                C("call_type"),
                C("call_disposition"),
                C("call_duration_in_seconds", I, bounds=Bounds(low=0, high=MAX_CALL_SECONDS)),
                C("hearing_item_count_c", I, bounds=Bounds(low=0, high=MAX_HEARING_ITEMS)),
            ],
            required_object=True,
            reported=True,
        ),
        _obj(
            "event",
            "Event",
            [
                C("who_id"),
                C("what_id"),
                C("account_id"),
                C("owner_id", T, True),
                C("type"),
                C("event_subtype"),
                C("subject"),
                C("activity_date", D, bounds=REPORTED),
                C("start_date_time", TS, bounds=REPORTED),
                C("end_date_time", TS, bounds=REPORTED),
                C("duration_in_minutes", I, bounds=NOT_NEGATIVE),
            ],
            required_object=True,
            reported=True,
        ),
        _obj(
            "opportunity",
            "Opportunity",
            [
                C("account_id"),
                C("owner_id", T, True),
                C("campaign_id"),
                C("type"),
                C("lead_source"),
                C("stage_name", T, True),
                C("is_closed", B),
                C("is_won", B),
                C("amount", F, bounds=MONEY),
                C("probability", F, bounds=PERCENT),
                C("forecast_category_name"),
                C("close_date", D, bounds=REPORTED),
                C("currency_iso_code"),
            ],
            required_object=True,
            reported=True,
        ),
        _obj(
            "opportunity_history",
            "OpportunityHistory",
            [
                C("opportunity_id", T, True),
                C("stage_name", T, True),
                C("amount", F, bounds=MONEY),
                C("close_date", D, bounds=PLANNED),
                C("probability", F, bounds=PERCENT),
                C("forecast_category"),
                C("expected_revenue", F, bounds=MONEY),
            ],
            reported=True,
        ),
        _obj(
            "lead_history",
            "LeadHistory",
            [
                C("lead_id", T, True),
                C("field", T, True),
                C("old_value"),
                C("new_value"),
            ],
            reported=True,
        ),
    ]
}


@dataclass(frozen=True)
class RowRule:
    """One plausibility rule as people read it: the object, the column, the rule."""

    object: str
    column: str
    rule: str


def row_rules() -> list[RowRule]:
    """Every plausibility rule ingestion applies, in contract order: the table the
    documentation lists."""
    return [
        RowRule(obj.name, column.name, column.bounds.describe())
        for obj in OBJECTS.values()
        for column in obj.columns
        if column.bounds is not None
    ]


# Ingestion metadata columns added to every raw table.
META_COLUMNS = ("_source_file", "_source_row", "_file_seq", "_loaded_at")
