"""Files and formats (docs/landing-contract.md): where extracts are found, how their headers,
encodings, line endings and formats are read."""

from __future__ import annotations

import json
from datetime import date, datetime

import duckdb
import pytest
from ingest_fixtures import LEAD_HEADER, TASK_HEADER

from orchestration.ingest.headers import snake_case


@pytest.mark.parametrize(
    "header",
    [
        "id,created_date,owner_id,hearing_item_count_c,call_duration_in_seconds",  # Fivetran
        "Id,CreatedDate,OwnerId,Hearing_Item_Count__c,CallDurationInSeconds",  # Salesforce API
        "id,createddate,ownerid,hearing_item_count__c,calldurationinseconds",  # Stitch
    ],
)
def test_each_header_style_maps_to_contract_columns(sandbox, header):
    sandbox.write("task/task_1.csv", f"{header}\n00T1,2026-04-01T09:00:00Z,005A,3,42\n")
    result = sandbox.ingest()
    assert result.files[0].extra_columns == []
    assert sandbox.rows(
        "SELECT id, created_date, owner_id, hearing_item_count_c, call_duration_in_seconds FROM raw.task"
    ) == [("00T1", datetime(2026, 4, 1, 9), "005A", 3, 42)]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("Foo_Bar__c", "foo_bar_c"),
        ("CustomScore", "custom_score"),
        ("createddate", "createddate"),
        ("Billing Country", "billing_country"),
        ("HTTPStatus", "http_status"),
        ("顧客ランク", "顧客ランク"),
    ],
)
def test_snake_case(header, expected):
    assert snake_case(header) == expected


@pytest.mark.parametrize(
    ("encoding", "prefix", "expected"),
    [("utf-8", b"", "utf-8"), ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"), ("cp932", b"", "cp932")],
)
def test_encodings_round_trip_japanese_text(sandbox, encoding, prefix, expected):
    text = f"{LEAD_HEADER},Company,Title\n00Q1,2026-04-01,005A,未対応,株式会社髙橋商事 ①,営業部長\n"
    sandbox.write("lead/lead_1.csv", prefix + text.encode(encoding))
    sandbox.ingest()
    assert sandbox.rows("SELECT id, status, company, title, _source_file FROM raw.lead") == [
        ("00Q1", "未対応", "株式会社髙橋商事 ①", "営業部長", "lead/lead_1.csv")
    ]
    assert sandbox.rows("SELECT encoding FROM ingest.load_ledger") == [(expected,)]


def test_crlf_line_endings_and_multi_line_quoted_field_count_records_not_lines(sandbox):
    sandbox.write(
        "task/task_1.csv",
        f'{TASK_HEADER},Subject\n00T1,2026-04-01,005A,one\n00T2,2026-04-01,005A,"two\nlines ""quoted""\nthree"\n'
        "00T3,2026-04-01,005A,after\n,2026-04-01,005A,no id\n",
        newline="\r\n",
    )
    result = sandbox.ingest()
    assert sandbox.rows("SELECT id, subject, _source_row FROM raw.task ORDER BY _source_row") == [
        ("00T1", "one", 1),
        ("00T2", 'two\r\nlines "quoted"\r\nthree', 2),
        ("00T3", "after", 3),
    ]
    assert sandbox.quarantine() == [("task/task_1.csv", 4, "id", "id is empty")]
    assert (result.files[0].rows_read, result.files[0].rows_loaded) == (4, 3)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])  # utf-8-sig writes a BOM
def test_gzipped_csv(sandbox, encoding):
    sandbox.write(
        "lead/lead_1.csv.gz", f"{LEAD_HEADER}\n00Q1,2026-04-01,005A,商談化\n", encoding=encoding, newline="\r\n"
    )
    sandbox.ingest()
    assert sandbox.rows("SELECT id, status, _source_file FROM raw.lead") == [("00Q1", "商談化", "lead/lead_1.csv.gz")]
    assert sandbox.rows("SELECT file_format, encoding FROM ingest.load_ledger") == [("csv.gz", encoding)]


def test_parquet_with_typed_columns(sandbox):
    path = sandbox.landing / "opportunity" / "opportunity_1.parquet"
    path.parent.mkdir()
    with duckdb.connect() as con:
        con.execute(f"""
            COPY (
                SELECT * FROM (VALUES
                    ('006A', TIMESTAMPTZ '2026-04-01 18:00:00+09', '005A', 'Prospecting', 1200.5, false,
                     DATE '2026-06-30', 'x'),
                    ('006B', TIMESTAMPTZ '2026-04-01 09:00:00+00', '005B', 'Closed Won', NULL, true, NULL, NULL)
                ) AS t("Id", "CreatedDate", "OwnerId", "StageName", "Amount", "IsWon", "CloseDate", "Region__c")
            ) TO '{path}' (FORMAT parquet)
        """)
    result = sandbox.ingest()
    assert result.files[0].extra_columns == ["region_c"]
    assert sandbox.rows(
        "SELECT id, created_date, stage_name, amount, is_won, close_date, region_c, _source_row "
        "FROM raw.opportunity ORDER BY _source_row"
    ) == [
        ("006A", datetime(2026, 4, 1, 9), "Prospecting", 1200.5, False, date(2026, 6, 30), "x", 1),
        ("006B", datetime(2026, 4, 1, 9), "Closed Won", None, True, None, None, 2),
    ]


def test_jsonl_with_json_types_and_missing_keys(sandbox):
    records = [
        {
            "Id": "00Q1",
            "CreatedDate": "2026-04-01T09:00:00Z",
            "OwnerId": "005A",
            "Status": "Open",
            "NumberOfEmployees": 120,
            "IsConverted": False,
            "Tags__c": ["a", "b"],
        },
        {
            "Id": "00Q2",
            "CreatedDate": "2026-04-01T09:00:00Z",
            "OwnerId": "005A",
            "Status": "Open",
            "NumberOfEmployees": "many",
        },
        {
            "Id": "00Q3",
            "CreatedDate": "2026-04-01T09:00:00Z",
            "OwnerId": "005A",
            "Status": "Open",
            "AnnualRevenue": 1.5e6,
            "IsConverted": None,
        },
    ]
    sandbox.write("lead/lead_1.jsonl", "\n".join(json.dumps(r) for r in records) + "\n")
    result = sandbox.ingest()
    assert result.files[0].extra_columns == ["tags_c"]
    assert sandbox.rows(
        "SELECT id, number_of_employees, is_converted, annual_revenue, tags_c, _source_row FROM raw.lead ORDER BY id"
    ) == [("00Q1", 120, False, None, '["a","b"]', 1), ("00Q3", None, None, 1.5e6, None, 3)]
    assert sandbox.quarantine() == [
        ("lead/lead_1.jsonl", 2, "number_of_employees", "number_of_employees: 'many' is not an integer")
    ]


def test_salesforce_export_names_and_bare_files_map_to_objects(sandbox):
    sandbox.write("Lead.csv", f"{LEAD_HEADER}\n00Q1,2026-04-01,005A,Open\n")
    sandbox.write("OpportunityHistory.csv", "Id,CreatedDate,OpportunityId,StageName\n008A,2026-04-01,006A,Won\n")
    sandbox.write("Lead/lead_2.csv", f"{LEAD_HEADER}\n00Q2,2026-04-01,005A,Open\n")
    sandbox.write("UserRole.JSONL", '{"id": "00E1", "created_date": "2026-04-01"}\n')
    result = sandbox.ingest(objects=["lead", "opportunity_history", "user_role"])
    assert [(f.object, f.source_file) for f in result.files] == [
        ("lead", "Lead.csv"),
        ("lead", "Lead/lead_2.csv"),
        ("opportunity_history", "OpportunityHistory.csv"),
        ("user_role", "UserRole.JSONL"),
    ]
    assert sandbox.rows("SELECT id FROM raw.lead ORDER BY id") == [("00Q1",), ("00Q2",)]
    assert sandbox.rows("SELECT opportunity_id FROM raw.opportunity_history") == [("006A",)]


def test_unrecognised_files_are_listed_with_why_in_the_summary(sandbox):
    sandbox.write("lead/lead_1.csv", f"{LEAD_HEADER}\n00Q1,2026-04-01,005A,Open\n")
    sandbox.write("lead/readme.txt", "notes")
    sandbox.write("lead/lead_3.csv.bz2", b"BZh9")
    sandbox.write("lead/2026/lead_2.csv", f"{LEAD_HEADER}\n00Q2,2026-04-01,005A,Open\n")
    sandbox.write("quote/quote_1.csv", "Id\nQ1\n")
    sandbox.write("Forecast.csv", "Id\nF1\n")
    sandbox.write("export.zip", b"PK")
    sandbox.write("lead/.~lock.lead_1.csv#", "editor lock file")
    result = sandbox.ingest(objects=["lead"])
    assert [f.source_file for f in result.files] == ["lead/lead_1.csv"]
    formats = "not an extract format (.csv.gz, .csv, .parquet, .jsonl)"
    expected = [
        ("export.zip", formats),
        ("Forecast.csv", "no contract object named 'Forecast'"),
        ("lead/2026/lead_2.csv", "in a sub-folder of an object folder"),
        ("lead/lead_3.csv.bz2", formats),
        ("lead/readme.txt", formats),
        ("quote/quote_1.csv", "no contract object named 'quote'"),
    ]
    assert [(i.path, i.reason) for i in result.ignored] == expected
    summary = str(result).splitlines()
    assert summary[summary.index("not read:") + 1 :] == [f"  {path}: {reason}" for path, reason in expected]


def test_files_load_in_object_then_natural_path_order(sandbox):
    for n, name in enumerate(["task/task_10.csv", "task/task_9.csv", "lead/lead_1.csv", "task/task_2.csv"]):
        header = LEAD_HEADER if name.startswith("lead") else TASK_HEADER
        values = f"00Q{n},2026-04-01,005A,Open" if name.startswith("lead") else f"00T{n},2026-04-01,005A"
        sandbox.write(name, f"{header}\n{values}\n")
    result = sandbox.ingest()
    assert [(f.source_file, f.file_seq) for f in result.files] == [
        ("lead/lead_1.csv", 1),
        ("task/task_2.csv", 2),
        ("task/task_9.csv", 3),
        ("task/task_10.csv", 4),
    ]
