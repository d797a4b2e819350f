"""Row validation: casts to contract types, and the quarantine with its reasons."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

from ingest_fixtures import LEAD_HEADER, NOW, TASK_HEADER

TIMESTAMP_FORMS = {
    "2026-04-01T09:00:00Z": datetime(2026, 4, 1, 9),
    "2026-04-01T09:00:00": datetime(2026, 4, 1, 9),
    "2026-04-01 09:00:00": datetime(2026, 4, 1, 9),
    "2026-04-01T09:00:00.250": datetime(2026, 4, 1, 9, 0, 0, 250000),
    "2026-04-01T18:00:00+09:00": datetime(2026, 4, 1, 9),
    "2026-04-01T18:00:00+0900": datetime(2026, 4, 1, 9),
    "2026-04-01T04:00:00-05:00": datetime(2026, 4, 1, 9),
    "2026-04-01T09:00:00.000+0000": datetime(2026, 4, 1, 9),
    "2026-04-01 09:00:00.123456Z": datetime(2026, 4, 1, 9, 0, 0, 123456),
    "2026-04-01": datetime(2026, 4, 1),
}


def test_timestamp_forms_are_read_as_utc(sandbox):
    rows = "".join(f"00T{i},{form},005A\n" for i, form in enumerate(TIMESTAMP_FORMS))
    sandbox.write("task/task_1.csv", f"{TASK_HEADER}\n{rows}")
    sandbox.ingest()
    assert sandbox.rows("SELECT created_date FROM raw.task ORDER BY _source_row") == [
        (expected,) for expected in TIMESTAMP_FORMS.values()
    ]


def test_dates_accept_a_timestamp_and_take_its_utc_date(sandbox):
    sandbox.write(
        "task/task_1.csv",
        f"{TASK_HEADER},ActivityDate\n00T1,2026-04-01,005A,2026-04-01\n"
        "00T2,2026-04-01,005A,2026-04-01T02:00:00+09:00\n00T3,2026-04-01,005A,2026-04-01T23:30:00Z\n"
        "00T4,2026-04-01,005A,04/01/2026\n",
    )
    sandbox.ingest()
    assert sandbox.rows("SELECT id, activity_date FROM raw.task ORDER BY id") == [
        ("00T1", date(2026, 4, 1)),
        ("00T2", date(2026, 3, 31)),
        ("00T3", date(2026, 4, 1)),
    ]
    assert sandbox.quarantine() == [
        ("task/task_1.csv", 4, "activity_date", "activity_date: '04/01/2026' is not a date")
    ]


def test_booleans_integers_and_numbers(sandbox):
    values = [
        ("true", "12", "1.5"),
        ("False", "12.0", "+3"),
        ("YES", " 4", "1e3"),
        ("no", "0", "0.25"),
        ("1", "", ""),
        ("0", "", ""),
        ("maybe", "", ""),
        ("", "12.5", ""),
        ("", "abc", ""),
        ("", "", '"1,5"'),
        ("", "", "NaN"),
    ]
    rows = "".join(f"00Q{i:02},2026-04-01,005A,Open,{b},{n},{d}\n" for i, (b, n, d) in enumerate(values))
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER},IsConverted,NumberOfEmployees,AnnualRevenue\n{rows}")
    sandbox.ingest()
    assert sandbox.rows("SELECT is_converted, number_of_employees, annual_revenue FROM raw.lead ORDER BY id") == [
        (True, 12, 1.5),
        (False, 12, 3.0),
        (True, 4, 1000.0),
        (False, 0, 0.25),
        (True, None, None),
        (False, None, None),
    ]
    assert sandbox.quarantine() == [
        ("lead/lead_1.csv", 7, "is_converted", "is_converted: 'maybe' is not a boolean"),
        ("lead/lead_1.csv", 8, "number_of_employees", "number_of_employees: '12.5' is not an integer"),
        ("lead/lead_1.csv", 9, "number_of_employees", "number_of_employees: 'abc' is not an integer"),
        ("lead/lead_1.csv", 10, "annual_revenue", "annual_revenue: '1,5' is not a number"),
        ("lead/lead_1.csv", 11, "annual_revenue", "annual_revenue: 'NaN' is not a number"),
    ]


def test_empty_values_are_null_for_every_type(sandbox):
    sandbox.write(
        "lead/lead_1.csv",
        f"{LEAD_HEADER},Company,SystemModstamp,ConvertedDate,IsConverted,NumberOfEmployees,AnnualRevenue\n"
        '00Q1,2026-04-01,005A,Open,"",,"",,"",\n',
    )
    sandbox.ingest()
    assert sandbox.rows(
        "SELECT company, system_modstamp, converted_date, is_converted, number_of_employees, annual_revenue "
        "FROM raw.lead"
    ) == [(None, None, None, None, None, None)]


def test_empty_id_and_empty_required_columns_are_quarantined(sandbox):
    sandbox.write(
        "lead/lead_1.csv",
        f'{LEAD_HEADER}\n00Q1,2026-04-01,005A,Open\n,2026-04-01,005A,Open\n"",2026-04-01,005A,Open\n'
        "00Q4,2026-04-01,,Open\n00Q5,,005A,Open\n",
    )
    result = sandbox.ingest()
    assert sandbox.quarantine() == [
        ("lead/lead_1.csv", 2, "id", "id is empty"),
        ("lead/lead_1.csv", 3, "id", "id is empty"),
        ("lead/lead_1.csv", 4, "owner_id", "owner_id is empty (required)"),
        ("lead/lead_1.csv", 5, "created_date", "created_date is empty (required)"),
    ]
    assert (result.files[0].rows_read, result.files[0].rows_loaded, result.files[0].rows_quarantined) == (5, 1, 4)


def test_unparsable_timestamp_is_quarantined_with_the_raw_record(sandbox):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER},Foo__c\n00Q1,yesterday,005A,Open,x\n")
    sandbox.ingest()
    assert sandbox.quarantine() == [
        ("lead/lead_1.csv", 1, "created_date", "created_date: 'yesterday' is not a timestamp")
    ]
    (record,) = sandbox.rows("SELECT raw_record FROM ingest.quarantine")[0]
    assert json.loads(record) == {
        "Id": "00Q1",
        "CreatedDate": "yesterday",
        "OwnerId": "005A",
        "Status": "Open",
        "Foo__c": "x",
    }
    assert sandbox.rows("SELECT count(*) FROM raw.lead") == [(0,)]


def test_future_dated_record_timestamps_are_quarantined(sandbox):
    soon = (NOW + timedelta(hours=23)).isoformat()
    sandbox.write(
        "task/task_1.csv",
        f"{TASK_HEADER},SystemModstamp,LastModifiedDate,CompletedDateTime\n"
        "00T1,2031-01-01T00:00:00Z,005A,,,\n"
        f"00T2,2026-04-01,005A,{soon},2026-04-03T09:00:01+00:00,\n"
        "00T3,2026-04-01,005A,,,2027-01-01T00:00:00Z\n",  # a planned activity may lie ahead
    )
    sandbox.ingest()
    after = "2026-04-03T09:00:00, 1 day after the load at 2026-04-02T09:00:00"
    assert sandbox.quarantine() == [
        ("task/task_1.csv", 1, "created_date", f"created_date: '2031-01-01T00:00:00Z' is after {after}"),
        (
            "task/task_1.csv",
            2,
            "last_modified_date",
            f"last_modified_date: '2026-04-03T09:00:01+00:00' is after {after}",
        ),
    ]
    assert sandbox.rows("SELECT id FROM raw.task") == [("00T3",)]


def test_load_time_defaults_to_the_clock_and_is_stored_as_naive_utc(sandbox):
    sandbox.write("task/task_1.csv", f"{TASK_HEADER}\n00T1,2030-01-01,005A\n")
    sandbox.ingest(now=datetime(2030, 1, 1, 9, tzinfo=timezone(timedelta(hours=9))))
    assert sandbox.rows("SELECT _loaded_at FROM raw.task") == [(datetime(2030, 1, 1, 0),)]
    sandbox.write("task/task_2.csv", f"{TASK_HEADER}\n00T2,2030-01-01,005A\n")
    sandbox.ingest(now=None)
    assert sandbox.quarantine()[0][3].startswith("created_date: '2030-01-01' is after ")
    (loaded_at,) = sandbox.rows("SELECT quarantined_at FROM ingest.quarantine")[0]
    assert abs(loaded_at - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=5)


def test_several_problems_in_one_row_make_one_quarantine_row(sandbox):
    sandbox.write(
        "lead/lead_1.csv",
        f"{LEAD_HEADER},NumberOfEmployees,IsConverted\n,not a date,005A,,x,maybe\n",
    )
    sandbox.ingest()
    assert sandbox.quarantine() == [
        (
            "lead/lead_1.csv",
            1,
            "id, created_date, status, number_of_employees, is_converted",
            "id is empty; created_date: 'not a date' is not a timestamp; status is empty (required); "
            "number_of_employees: 'x' is not an integer; is_converted: 'maybe' is not a boolean",
        )
    ]


def test_duplicate_ids_in_one_file_are_loaded_and_counted(sandbox):
    sandbox.write(
        "lead/lead_1.csv",
        f"{LEAD_HEADER}\n00Q1,2026-04-01,005A,Open\n00Q1,2026-04-01,005A,Working\n00Q2,2026-04-01,005A,Open\n"
        "00Q1,2026-04-01,005A,Qualified\n",
    )
    result = sandbox.ingest()
    assert result.files[0].duplicate_ids == 2
    assert sandbox.rows("SELECT status, _source_row FROM raw.lead WHERE id = '00Q1' ORDER BY _source_row") == [
        ("Open", 1),
        ("Working", 2),
        ("Qualified", 4),
    ]
    assert sandbox.rows("SELECT duplicate_ids FROM ingest.load_ledger") == [(2,)]


def test_a_long_bad_value_is_shortened_in_the_reason(sandbox):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER},NumberOfEmployees\n00Q1,2026-04-01,005A,Open,{'9x' * 80}\n")
    sandbox.ingest()
    assert sandbox.quarantine()[0][3] == f"number_of_employees: '{('9x' * 80)[:100]}…' is not an integer"
