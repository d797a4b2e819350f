"""The dbt macro library and the seeds, proved on a throwaway DuckDB warehouse.

A temporary dbt project named `fukan` (so `adapter.dispatch(..., 'fukan')` resolves)
copies the library from dbt_project/macros, links the real seeds/ folder and adds small
fixture models written below. One `dbt build` loads and tests the seeds, and runs every
generic test twice over: on rows it must accept (expect pass) and on each kind of bad
row it must reject (expect fail). One `dbt show` then reads the value of each
cross-database macro on literal inputs. Running in a project of its own keeps this test
independent of the models other people are writing.
"""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
DBT_PROJECT = REPO / "dbt_project"
SEEDS = REPO / "seeds"
# The library: what this test proves. Other macros in the folder belong to models.
LIBRARY = ["cross_database", "generic_tests", "generate_schema_name.sql", "_macros.yml"]

# --- fixture models: one row per case, named by what makes it good or bad ------------

FIXTURE_MODELS = {
    "pairs": """
        select 'smaller' as case_name, 1 as a, 2 as b
        union all select 'much_smaller', -5, 6
        union all select 'greater', 3, 2
        union all select 'null_a', null, 2
    """,
    "measures": """
        select 'zero' as case_name, cast(0 as double) as value
        union all select 'half', 0.5
        union all select 'one', 1.0
        union all select 'null', null
        union all select 'above_one', 1.5
        union all select 'below_zero', -0.1
    """,
    "funnel_counts": """
        select 'shrinking' as case_name, 10 as leads, 5 as worked, 1 as won
        union all select 'flat', 5, 5, 5
        union all select 'null_in_middle', 10, null, 1
        union all select 'worked_above_leads', 10, 11, 1
        union all select 'won_above_worked', 10, 5, 6
    """,
    "flags": """
        select 'both' as case_name, true as a, true as b
        union all select 'neither', false, false
        union all select 'only_b', false, true
        union all select 'null_a', null, false
        union all select 'a_without_b', true, false
        union all select 'a_with_null_b', true, null
    """,
    "step_times": """
        select 'in_order' as case_name,
            cast('2025-04-01 09:00:00' as timestamp) as lead_at,
            cast('2025-04-02 09:00:00' as timestamp) as worked_at,
            cast('2025-04-03 09:00:00' as timestamp) as won_at
        union all select 'equal', cast('2025-04-01 09:00:00' as timestamp),
            cast('2025-04-01 09:00:00' as timestamp), cast('2025-04-01 09:00:00' as timestamp)
        union all select 'gap', cast('2025-04-01 09:00:00' as timestamp), null,
            cast('2025-04-03 09:00:00' as timestamp)
        union all select 'only_first', cast('2025-04-01 09:00:00' as timestamp), null, null
        union all select 'reversed', cast('2025-04-02 09:00:00' as timestamp),
            cast('2025-04-01 09:00:00' as timestamp), null
        union all select 'reversed_across_gap', cast('2025-04-03 09:00:00' as timestamp), null,
            cast('2025-04-01 09:00:00' as timestamp)
    """,
    "keys": """
        select 'distinct' as case_name, 'a' as k1, 1 as k2
        union all select 'distinct', 'a', 2
        union all select 'distinct', 'b', 1
        union all select 'distinct', null, 1
        union all select 'duplicate', 'c', 1
        union all select 'duplicate', 'c', 1
        union all select 'duplicate_nulls', null, 3
        union all select 'duplicate_nulls', null, 3
    """,
    "ruled_rows": """
        select 'ok' as case_name, 1 as id, 'quality' as kind
        union all select 'ok', 2, 'general'
        union all select 'null_kind', 3, null
        union all select 'null_id', null, 'general'
        union all select 'null_id', null, 'general'
        union all select 'duplicate_id', 4, 'general'
        union all select 'duplicate_id', 4, 'quality'
        union all select 'unknown_kind', 5, 'other'
        union all select 'quoted_kind', 6, 'it''s'
    """,
    "reconcile_fact": """
        select 'L1' as lead_id, '2025-04' as period, 100.0 as amount
        union all select 'L2', '2025-04', 200.0
        union all select 'L3', '2025-04', 300.0
        union all select 'L4', '2025-05', 50.0
        union all select 'L5', '2025-05', 50.0
        union all select 'L6', '2025-06', 10.0
    """,
    "reconcile_mart": """
        select 'april' as case_name, '2025-04' as period, 3 as leads, 600.004 as amount
        union all select 'may', '2025-05', 2, 100.0
        union all select 'june_wrong', '2025-06', 5, 10.0
    """,
    "rates": """
        select 'half' as case_name, 1 as numerator, 2 as denominator, cast(0.5 as double) as rate
        union all select 'zero_rate', 0, 5, 0.0
        union all select 'full', 3, 3, 1.0
        union all select 'zero_denominator', 0, 0, null
        union all select 'null_denominator', null, null, null
        union all select 'rate_with_zero_denominator', 0, 0, 0.0
        union all select 'rate_with_null_denominator', 1, null, 0.5
        union all select 'null_rate', 1, 2, null
        union all select 'above_one', 3, 2, 1.5
        union all select 'negative', -1, 2, -0.5
        union all select 'wrong_value', 1, 4, 0.5
    """,
}


def _only(*cases: str) -> str:
    return "case_name in (" + ", ".join(f"'{case}'" for case in cases) + ")"


# (name, model, column or None, test, arguments, where, expected status)
GENERIC_TEST_CASES = [
    (
        "accepted_range__inclusive",
        "measures",
        "value",
        "accepted_range",
        {"min_value": 0, "max_value": 1},
        _only("zero", "half", "one", "null"),
        "pass",
    ),
    (
        "accepted_range__above",
        "measures",
        "value",
        "accepted_range",
        {"min_value": 0, "max_value": 1},
        _only("above_one"),
        "fail",
    ),
    (
        "accepted_range__below",
        "measures",
        "value",
        "accepted_range",
        {"min_value": 0, "max_value": 1},
        _only("below_zero"),
        "fail",
    ),
    (
        "accepted_range__only_min",
        "measures",
        "value",
        "accepted_range",
        {"min_value": 0},
        _only("zero", "above_one", "null"),
        "pass",
    ),
    (
        "accepted_range__exclusive",
        "measures",
        "value",
        "accepted_range",
        {"min_value": 0, "max_value": 1, "min_inclusive": False, "max_inclusive": False},
        _only("half"),
        "pass",
    ),
    (
        "accepted_range__exclusive_min",
        "measures",
        "value",
        "accepted_range",
        {"min_value": 0, "min_inclusive": False},
        _only("zero"),
        "fail",
    ),
    (
        "accepted_range__exclusive_max",
        "measures",
        "value",
        "accepted_range",
        {"max_value": 1, "max_inclusive": False},
        _only("one"),
        "fail",
    ),
    (
        "accepted_range__null_refused",
        "measures",
        "value",
        "accepted_range",
        {"min_value": 0, "max_value": 1, "allow_null": False},
        _only("null"),
        "fail",
    ),
    (
        "row_rules__combination_distinct",
        "keys",
        None,
        "row_rules",
        {"unique_combinations": [["k1", "k2"]]},
        _only("distinct"),
        "pass",
    ),
    (
        "row_rules__combination_duplicate",
        "keys",
        None,
        "row_rules",
        {"unique_combinations": [["k1", "k2"]]},
        _only("duplicate"),
        "fail",
    ),
    (
        "row_rules__combination_duplicate_nulls",
        "keys",
        None,
        "row_rules",
        {"unique_combinations": [["k1", "k2"]]},
        _only("duplicate_nulls"),
        "fail",
    ),
    (
        "row_rules__combinations_with_other_rules",
        "keys",
        None,
        "row_rules",
        {"not_null": ["k2"], "unique_combinations": [["k1", "k2"], ["k2"]]},
        _only("distinct", "duplicate"),
        "fail",
    ),
    (
        "row_rules__hold",
        "ruled_rows",
        None,
        "row_rules",
        {"not_null": ["id", "case_name"], "unique": ["id"], "accepted_values": {"kind": ["quality", "general"]}},
        _only("ok", "null_kind"),
        "pass",
    ),
    ("row_rules__null", "ruled_rows", None, "row_rules", {"not_null": ["id"]}, _only("null_id"), "fail"),
    (
        "row_rules__nulls_are_not_duplicates",
        "ruled_rows",
        None,
        "row_rules",
        {"unique": ["id"]},
        _only("null_id", "ok"),
        "pass",
    ),
    ("row_rules__duplicate", "ruled_rows", None, "row_rules", {"unique": ["id"]}, _only("duplicate_id"), "fail"),
    (
        "row_rules__value_not_accepted",
        "ruled_rows",
        None,
        "row_rules",
        {"accepted_values": {"kind": ["quality", "general"]}},
        _only("unknown_kind"),
        "fail",
    ),
    (
        "row_rules__quoted_value",
        "ruled_rows",
        None,
        "row_rules",
        {"accepted_values": {"kind": ["it's"]}},
        _only("quoted_kind"),
        "pass",
    ),
    (
        "row_rules__several_broken",
        "ruled_rows",
        None,
        "row_rules",
        {"not_null": ["id"], "unique": ["id"], "accepted_values": {"kind": ["quality", "general"]}},
        _only("null_id", "duplicate_id", "unknown_kind"),
        "fail",
    ),
    (
        "row_rules__holds",
        "pairs",
        None,
        "row_rules",
        {"holds": {"a_below_b": "a < b"}},
        _only("smaller", "much_smaller"),
        "pass",
    ),
    (
        "row_rules__holds_false",
        "pairs",
        None,
        "row_rules",
        {"holds": {"a_below_b": "a < b"}},
        _only("smaller", "greater"),
        "fail",
    ),
    (
        "row_rules__holds_null_fails",
        "pairs",
        None,
        "row_rules",
        {"holds": {"a_below_b": "a < b"}},
        _only("null_a"),
        "fail",
    ),
    (
        "row_rules__not_increasing_along",
        "funnel_counts",
        None,
        "row_rules",
        {"not_increasing_along": [["leads", "worked", "won"]]},
        _only("shrinking", "flat", "null_in_middle"),
        "pass",
    ),
    (
        "row_rules__not_increasing_along_second_rises",
        "funnel_counts",
        None,
        "row_rules",
        {"not_increasing_along": [["leads", "worked", "won"]]},
        _only("worked_above_leads"),
        "fail",
    ),
    (
        "row_rules__not_increasing_along_last_rises",
        "funnel_counts",
        None,
        "row_rules",
        {"not_increasing_along": [["leads", "worked", "won"]]},
        _only("won_above_worked"),
        "fail",
    ),
    (
        "row_rules__implies",
        "flags",
        None,
        "row_rules",
        {"implies": [["a", "b"]]},
        _only("both", "neither", "only_b", "null_a"),
        "pass",
    ),
    ("row_rules__implies_broken", "flags", None, "row_rules", {"implies": [["a", "b"]]}, _only("a_without_b"), "fail"),
    (
        "row_rules__implies_null_consequence",
        "flags",
        None,
        "row_rules",
        {"implies": [["a", "b"]]},
        _only("a_with_null_b"),
        "fail",
    ),
    (
        "row_rules__timestamps_in_order",
        "step_times",
        None,
        "row_rules",
        {"non_decreasing_timestamps": [["lead_at", "worked_at", "won_at"]]},
        _only("in_order", "equal", "gap", "only_first"),
        "pass",
    ),
    (
        "row_rules__timestamps_reversed",
        "step_times",
        None,
        "row_rules",
        {"non_decreasing_timestamps": [["lead_at", "worked_at", "won_at"]]},
        _only("reversed"),
        "fail",
    ),
    (
        "row_rules__timestamps_reversed_across_gap",
        "step_times",
        None,
        "row_rules",
        {"non_decreasing_timestamps": [["lead_at", "worked_at", "won_at"]]},
        _only("reversed_across_gap"),
        "fail",
    ),
    (
        "reconciles_with__count_by_group",
        "reconcile_mart",
        "leads",
        "reconciles_with",
        {
            "compare_model": "ref('reconcile_fact')",
            "compare_expression": "lead_id",
            "compare_aggregate": "count",
            "group_by": ["period"],
            "compare_condition": "period <> '2025-06'",
        },
        _only("april", "may"),
        "pass",
    ),
    (
        "reconciles_with__compare_group_expression",
        "reconcile_mart",
        None,
        "reconciles_with",
        {
            "compare_model": "ref('reconcile_fact')",
            "expression": "leads",
            "compare_expression": "lead_id",
            "compare_aggregate": "count_distinct",
            "group_by": ["period"],
            "compare_group_by": ["lower(period)"],
            "compare_condition": "period <> '2025-06'",
        },
        _only("april", "may"),
        "pass",
    ),
    (
        "reconciles_with__totals_within_tolerance",
        "reconcile_mart",
        "amount",
        "reconciles_with",
        {"compare_model": "ref('reconcile_fact')", "compare_condition": "period <> '2025-06'", "tolerance": 0.01},
        _only("april", "may"),
        "pass",
    ),
    (
        "reconciles_with__beyond_tolerance",
        "reconcile_mart",
        "amount",
        "reconciles_with",
        {"compare_model": "ref('reconcile_fact')", "group_by": ["period"], "compare_condition": "period <> '2025-06'"},
        _only("april", "may"),
        "fail",
    ),
    (
        "reconciles_with__differs",
        "reconcile_mart",
        "leads",
        "reconciles_with",
        {
            "compare_model": "ref('reconcile_fact')",
            "compare_expression": "lead_id",
            "compare_aggregate": "count",
            "group_by": ["period"],
        },
        _only("june_wrong"),
        "fail",
    ),
    (
        "reconciles_with__group_missing_here",
        "reconcile_mart",
        "leads",
        "reconciles_with",
        {
            "compare_model": "ref('reconcile_fact')",
            "compare_expression": "lead_id",
            "compare_aggregate": "count",
            "group_by": ["period"],
        },
        _only("april", "may"),
        "fail",
    ),
    (
        "reconciles_with__measures_agree",
        "reconcile_mart",
        None,
        "reconciles_with",
        {
            "compare_model": "ref('reconcile_fact')",
            "measures": {"leads": {"compare_expression": "1"}, "amount": {"tolerance": 0.01}},
            "group_by": ["period"],
            "compare_condition": "period <> '2025-06'",
        },
        _only("april", "may"),
        "pass",
    ),
    (
        "reconciles_with__measure_beyond_its_tolerance",
        "reconcile_mart",
        None,
        "reconciles_with",
        {
            "compare_model": "ref('reconcile_fact')",
            "measures": {"leads": {"compare_expression": "1"}, "amount": None},
            "group_by": ["period"],
            "compare_condition": "period <> '2025-06'",
        },
        _only("april", "may"),
        "fail",
    ),
    (
        "reconciles_with__one_measure_differs",
        "reconcile_mart",
        None,
        "reconciles_with",
        {
            "compare_model": "ref('reconcile_fact')",
            "measures": {
                "head_count": {"expression": "leads", "compare_expression": "1"},
                "amount": {"compare_expression": "amount * 1"},
            },
            "group_by": ["period"],
            "compare_condition": "period = '2025-06'",
        },
        _only("june_wrong"),
        "fail",
    ),
    (
        "row_rules__rates_hold",
        "rates",
        None,
        "row_rules",
        {"rates": {"rate": ["numerator", "denominator"]}},
        _only("half", "zero_rate", "full", "zero_denominator", "null_denominator"),
        "pass",
    ),
    (
        "row_rules__ratio_above_one_allowed",
        "rates",
        None,
        "row_rules",
        {"ratios": {"rate": ["numerator", "denominator"]}},
        _only("half", "above_one"),
        "pass",
    ),
    (
        "row_rules__ratio_negative",
        "rates",
        None,
        "row_rules",
        {"ratios": {"rate": ["numerator", "denominator"]}},
        _only("negative"),
        "fail",
    ),
    (
        "row_rules__rate_only_where_it_applies",
        "rates",
        None,
        "row_rules",
        {
            "rates": {
                "rate": {"numerator": "numerator", "denominator": "denominator", "where": "case_name <> 'wrong_value'"}
            }
        },
        _only("half", "wrong_value"),
        "pass",
    ),
    (
        "row_rules__rate_where_it_applies",
        "rates",
        None,
        "row_rules",
        {
            "rates": {
                "rate": {"numerator": "numerator", "denominator": "denominator", "where": "case_name = 'wrong_value'"}
            }
        },
        _only("half", "wrong_value"),
        "fail",
    ),
] + [
    (
        f"row_rules__rate_{case}",
        "rates",
        None,
        "row_rules",
        {"rates": {"rate": ["numerator", "denominator"]}},
        _only(case),
        "fail",
    )
    for case in [
        "rate_with_zero_denominator",
        "rate_with_null_denominator",
        "null_rate",
        "above_one",
        "negative",
        "wrong_value",
    ]
]

# A failing row_rules test counts the rows that break a rule, summed over its rules; a
# failing reconciles_with test, the groups and measures whose totals differ.
FAILURE_COUNTS = {
    "row_rules__null": 2,  # two null ids
    "row_rules__duplicate": 1,  # one id seen twice: one row too many
    "row_rules__value_not_accepted": 1,
    "row_rules__several_broken": 4,  # 2 null ids + 1 duplicate + 1 unknown kind
    "row_rules__holds_false": 1,  # 'greater'
    "row_rules__implies_broken": 1,
    "row_rules__timestamps_reversed_across_gap": 1,
    "row_rules__combination_duplicate": 1,  # ('c', 1) twice: one row too many
    "row_rules__combination_duplicate_nulls": 1,  # (null, 3) twice: nulls are equal here
    "row_rules__combinations_with_other_rules": 5,  # ('c', 1) once too many; k2 = 1 five times: four
    "row_rules__rate_where_it_applies": 1,
    "reconciles_with__measure_beyond_its_tolerance": 1,  # april's amount, not its leads
    "reconciles_with__one_measure_differs": 1,  # june's head count, not its amount
}

# --- macro values on literal inputs: (check, SQL expression, expected text or None) ---

T = "cast('{}' as timestamp)".format
D = "cast('{}' as date)".format

MACRO_CHECKS = [
    ("regexp_search__search_not_full_match", "{{ fukan.regexp_search(\"'営業部長'\", \"'部長'\") }}", "true"),
    ("regexp_search__alternation", "{{ fukan.regexp_search(\"'Sales Director'\", \"'部長|Director'\") }}", "true"),
    ("regexp_search__case_sensitive", "{{ fukan.regexp_search(\"'sales director'\", \"'Director'\") }}", "false"),
    ("regexp_search__ignore_case_flag", "{{ fukan.regexp_search(\"'sales director'\", \"'(?i)Director'\") }}", "true"),
    ("regexp_search__anchor", "{{ fukan.regexp_search(\"'課長代理'\", \"'^課長'\") }}", "true"),
    ("regexp_search__no_match", "{{ fukan.regexp_search(\"'部長'\", \"'課長|Manager'\") }}", "false"),
    ("regexp_search__null", "{{ fukan.regexp_search('cast(null as varchar)', \"'x'\") }}", None),
    ("in_pipe_list__item", "{{ fukan.in_pipe_list(\"'Seminar'\", \"'Partner Referral|Seminar'\") }}", "true"),
    (
        "in_pipe_list__first_item",
        "{{ fukan.in_pipe_list(\"'Partner Referral'\", \"'Partner Referral|Seminar'\") }}",
        "true",
    ),
    ("in_pipe_list__part_of_item", "{{ fukan.in_pipe_list(\"'Partner'\", \"'Partner Referral|Seminar'\") }}", "false"),
    ("in_pipe_list__case", "{{ fukan.in_pipe_list(\"'seminar'\", \"'Partner Referral|Seminar'\") }}", "false"),
    ("in_pipe_list__spaces", "{{ fukan.in_pipe_list(\"' Seminar'\", \"'Partner Referral|Seminar'\") }}", "false"),
    ("in_pipe_list__value_with_pipe", "{{ fukan.in_pipe_list(\"'a|b'\", \"'a|b|c'\") }}", "false"),
    ("in_pipe_list__no_wildcards", "{{ fukan.in_pipe_list(\"'a_c'\", \"'abc'\") }}", "false"),
    ("in_pipe_list__number", "{{ fukan.in_pipe_list('100', \"'100|200'\") }}", "true"),
    (
        "in_pipe_list__japanese",
        "{{ fukan.in_pipe_list(\"'金融業・保険業'\", \"'製造業|情報通信業|金融業・保険業'\") }}",
        "true",
    ),
    ("in_pipe_list__null", "{{ fukan.in_pipe_list('cast(null as varchar)', \"'a|b'\") }}", None),
    ("in_pipe_list__not_of_null_is_null", "not {{ fukan.in_pipe_list('cast(null as varchar)', \"'a|b'\") }}", None),
    ("safe_divide__half", "{{ fukan.safe_divide('1', '2') }}", "0.5"),
    ("safe_divide__no_integer_division", "{{ fukan.safe_divide('7', '2') }}", "3.5"),
    ("safe_divide__zero_numerator", "{{ fukan.safe_divide('0', '5') }}", "0.0"),
    ("safe_divide__zero_denominator", "{{ fukan.safe_divide('1', '0') }}", None),
    ("safe_divide__null_denominator", "{{ fukan.safe_divide('1', 'cast(null as integer)') }}", None),
    ("safe_divide__type", "typeof({{ fukan.safe_divide('1', '3') }})", "DOUBLE"),
    ("type_double", "typeof(cast(1 as {{ fukan.type_double() }}))", "DOUBLE"),
    (
        "to_reporting_date__before_midnight_jst",
        '{{ fukan.to_reporting_date("' + T("2025-03-31 14:59:59") + '") }}',
        "2025-03-31",
    ),
    (
        "to_reporting_date__after_midnight_jst",
        '{{ fukan.to_reporting_date("' + T("2025-03-31 15:00:00") + '") }}',
        "2025-04-01",
    ),
    (
        "to_reporting_date__override_zone",
        '{{ fukan.to_reporting_date("' + T("2025-01-01 03:00:00") + "\", 'America/New_York') }}",
        "2024-12-31",
    ),
    (
        "to_reporting_date__timestamptz_input",
        "{{ fukan.to_reporting_date(\"cast('2025-03-31 15:00:00+00' as timestamptz)\") }}",
        "2025-04-01",
    ),
    (
        "to_reporting_timestamp",
        '{{ fukan.to_reporting_timestamp("' + T("2025-03-31 15:30:00") + '") }}',
        "2025-04-01 00:30:00",
    ),
    ("to_reporting_date__null", "{{ fukan.to_reporting_date('cast(null as timestamp)') }}", None),
    ("fiscal_year__last_day", '{{ fukan.fiscal_year("' + D("2025-03-31") + '") }}', "2024"),
    ("fiscal_year__first_day", '{{ fukan.fiscal_year("' + D("2025-04-01") + '") }}', "2025"),
    ("fiscal_year__december", '{{ fukan.fiscal_year("' + D("2025-12-31") + '") }}', "2025"),
    ("fiscal_year__calendar_year", '{{ fukan.fiscal_year("' + D("2025-03-31") + '", 1) }}', "2025"),
    ("fiscal_year__october_start", '{{ fukan.fiscal_year("' + D("2025-09-30") + '", 10) }}', "2024"),
    ("fiscal_year__type", 'typeof({{ fukan.fiscal_year("' + D("2025-09-30") + '") }})', "INTEGER"),
    ("fiscal_quarter__april", '{{ fukan.fiscal_quarter("' + D("2025-04-01") + '") }}', "1"),
    ("fiscal_quarter__june", '{{ fukan.fiscal_quarter("' + D("2025-06-30") + '") }}', "1"),
    ("fiscal_quarter__july", '{{ fukan.fiscal_quarter("' + D("2025-07-01") + '") }}', "2"),
    ("fiscal_quarter__december", '{{ fukan.fiscal_quarter("' + D("2025-12-31") + '") }}', "3"),
    ("fiscal_quarter__march", '{{ fukan.fiscal_quarter("' + D("2026-03-31") + '") }}', "4"),
    ("fiscal_quarter__calendar_year", '{{ fukan.fiscal_quarter("' + D("2025-02-10") + '", 1) }}', "1"),
    ("fiscal_quarter_start__january", '{{ fukan.fiscal_quarter_start("' + D("2025-02-10") + '") }}', "2025-01-01"),
    ("fiscal_quarter_start__april", '{{ fukan.fiscal_quarter_start("' + D("2025-04-15") + '") }}', "2025-04-01"),
    ("fiscal_quarter_start__december", '{{ fukan.fiscal_quarter_start("' + D("2025-12-31") + '") }}', "2025-10-01"),
    (
        "fiscal_quarter_start__calendar_year",
        '{{ fukan.fiscal_quarter_start("' + D("2025-05-05") + '", 1) }}',
        "2025-04-01",
    ),
    (
        "fiscal_quarter_start__february_start",
        '{{ fukan.fiscal_quarter_start("' + D("2025-01-15") + '", 2) }}',
        "2024-11-01",
    ),
    ("fiscal_quarter_start__type", 'typeof({{ fukan.fiscal_quarter_start("' + D("2025-01-15") + '") }})', "DATE"),
    ("fiscal_half__september", '{{ fukan.fiscal_half("' + D("2025-09-30") + '") }}', "1"),
    ("fiscal_half__october", '{{ fukan.fiscal_half("' + D("2025-10-01") + '") }}', "2"),
    ("fiscal_half__march", '{{ fukan.fiscal_half("' + D("2026-03-31") + '") }}', "2"),
    ("fiscal_half_start__april", '{{ fukan.fiscal_half_start("' + D("2025-04-01") + '") }}', "2025-04-01"),
    ("fiscal_half_start__february", '{{ fukan.fiscal_half_start("' + D("2025-02-10") + '") }}', "2024-10-01"),
    ("fiscal_half_start__calendar_year", '{{ fukan.fiscal_half_start("' + D("2025-07-01") + '", 1) }}', "2025-07-01"),
    ("fiscal_half_start__type", 'typeof({{ fukan.fiscal_half_start("' + D("2025-01-15") + '") }})', "DATE"),
    ("fiscal_year_start__before_april", '{{ fukan.fiscal_year_start("' + D("2025-02-10") + '") }}', "2024-04-01"),
    ("fiscal_year_start__first_day", '{{ fukan.fiscal_year_start("' + D("2025-04-01") + '") }}', "2025-04-01"),
    ("fiscal_year_start__calendar_year", '{{ fukan.fiscal_year_start("' + D("2025-02-10") + '", 1) }}', "2025-01-01"),
    ("normalise_text__spaces_and_case", "{{ fukan.normalise_text(\"'  Connected '\") }}", "connected"),
    ("normalise_text__full_width_spaces", "{{ fukan.normalise_text(\"'\u3000接続\u3000'\") }}", "接続"),
    ("normalise_text__inner_space_kept", "{{ fukan.normalise_text(\"'NO ANSWER'\") }}", "no answer"),
    ("normalise_text__null", "{{ fukan.normalise_text('cast(null as varchar)') }}", None),
    ("empty_as_null__empty", "{{ fukan.empty_as_null(\"''\") }}", None),
    ("empty_as_null__text", "{{ fukan.empty_as_null(\"'x'\") }}", "x"),
    ("empty_as_null__space_kept", "{{ fukan.empty_as_null(\"' '\") }}", " "),
    ("hash_text__md5", "{{ fukan.hash_text(\"'abc'\") }}", "900150983cd24fb0d6963f7d28e17f72"),
    ("hash_text__number_as_text", "{{ fukan.hash_text('123') }}", "202cb962ac59075b964b07152d234b70"),
    ("hash_text__null", "{{ fukan.hash_text('cast(null as varchar)') }}", None),
]

# Aggregates and seed-backed checks: full select statements returning (actual).
AGGREGATE_CHECKS = [
    (
        "string_agg_sorted__values",
        "select {{ fukan.string_agg_sorted('v') }} from (values ('c'), ('a'), (null), ('b')) as t (v)",
        "a,b,c",
    ),
    (
        "string_agg_sorted__delimiter",
        "select {{ fukan.string_agg_sorted('v', \"' | '\") }} from (values ('c'), ('a'), ('b')) as t (v)",
        "a | b | c",
    ),
    (
        "string_agg_sorted__order_by",
        "select {{ fukan.string_agg_sorted('v', \"','\", 'k') }} "
        "from (values ('c', 1), ('a', 3), ('b', 2)) as t (v, k)",
        "c,b,a",
    ),
    (
        "string_agg_sorted__no_rows",
        "select {{ fukan.string_agg_sorted('v') }} from (values ('a')) as t (v) where false",
        None,
    ),
    # Doubles summed in either order: a plain sum gives 0.6000000000000001 for the first.
    *[
        (
            f"exact_sum__{name}",
            "select {{ fukan.exact_sum('v') }} from (values "
            + ", ".join(f"(cast({value} as {{{{ fukan.type_double() }}}}))" for value in values)
            + ") as t (v)",
            "0.6",
        )
        for name, values in [("ascending", ["0.1", "0.2", "0.3"]), ("descending", ["0.3", "0.2", "0.1"])]
    ],
    # The default quality rules, matched with the macros as the scoring model does.
    *[
        (
            f"quality_rules__title_{title}",
            "select {{ fukan.string_agg_sorted('rule_id') }} from {{ ref('quality_lead_rules') }} "
            f"where operator = 'matches' and {{{{ fukan.regexp_search(\"'{title}'\", 'value') }}}}",
            expected,
        )
        for title, expected in [
            ("本部長", "decision_maker_title"),
            ("営業部長", "decision_maker_title"),
            ("代表取締役社長", "decision_maker_title"),
            ("課長", "manager_title"),
            ("Sales Manager", "manager_title"),
            ("Director of Sales", "decision_maker_title"),
            ("学生", "student"),
            ("担当", None),
        ]
    ],
    (
        "quality_rules__industry_in_list",
        "select {{ fukan.string_agg_sorted('rule_id') }} from {{ ref('quality_lead_rules') }} "
        "where operator = 'in' and {{ fukan.in_pipe_list(\"'情報通信業'\", 'value') }}",
        "target_industry",
    ),
    (
        "call_disposition_mapping__normalised_match",
        "select cast(bool_and(is_connected) as varchar) || ':' || cast(count(*) as varchar) "
        "from {{ ref('call_disposition_mapping') }} "
        "where {{ fukan.normalise_text(\"' CONVERSATION\u3000'\") }} = {{ fukan.normalise_text('call_disposition') }}",
        "true:1",
    ),
]


def _macro_checks_sql() -> str:
    selects = [
        f"select '{name}' as check_name, cast(({expression}) as varchar) as actual"
        for name, expression, _ in MACRO_CHECKS
    ] + [f"select '{name}' as check_name, cast(({query}) as varchar) as actual" for name, query, _ in AGGREGATE_CHECKS]
    return "\nunion all\n".join(selects) + "\n"


def _fixture_properties() -> dict:
    models: dict[str, dict] = {name: {"name": name, "columns": [], "data_tests": []} for name in FIXTURE_MODELS}
    for name, model, column, test, arguments, where, expected in GENERIC_TEST_CASES:
        entry = {test: {"name": f"expect_{expected}__{name}", "arguments": arguments, "config": {"where": where}}}
        if column is None:
            models[model]["data_tests"].append(entry)
        else:
            columns = models[model]["columns"]
            match = next((c for c in columns if c["name"] == column), None)
            if match is None:
                match = {"name": column, "data_tests": []}
                columns.append(match)
            match["data_tests"].append(entry)
    return {"version": 2, "models": list(models.values())}


def _write_project(root: Path) -> None:
    macros = root / "macros"
    macros.mkdir()
    for item in LIBRARY:
        source = DBT_PROJECT / "macros" / item
        if source.is_dir():
            shutil.copytree(source, macros / item)
        else:
            shutil.copy(source, macros / item)
    (root / "seeds").symlink_to(SEEDS, target_is_directory=True)
    shared = yaml.safe_load((DBT_PROJECT / "dbt_project.yml").read_text(encoding="utf-8"))
    project = {
        "name": "fukan",
        "version": "0.1.0",
        "config-version": 2,
        "profile": "fukan",
        "model-paths": ["models"],
        "macro-paths": ["macros"],
        "seed-paths": ["seeds"],
        "flags": shared.get("flags", {}),
        "vars": shared.get("vars", {}),
        "seeds": {"fukan": {"+schema": "seeds"}},
        "models": {"fukan": {"+materialized": "view", "+schema": "fixtures"}},
    }
    (root / "dbt_project.yml").write_text(yaml.safe_dump(project, allow_unicode=True), encoding="utf-8")
    models = root / "models"
    models.mkdir()
    for name, sql in FIXTURE_MODELS.items():
        (models / f"{name}.sql").write_text(sql, encoding="utf-8")
    (models / "macro_checks.sql").write_text(_macro_checks_sql(), encoding="utf-8")
    (models / "seed_column_types.sql").write_text(
        "select table_name, column_name, data_type from information_schema.columns where table_schema = 'seeds'\n",
        encoding="utf-8",
    )
    (models / "_fixtures.yml").write_text(
        yaml.safe_dump(_fixture_properties(), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def dbt_run(tmp_path_factory):
    """Build the temporary project once; hand out (build statuses, failure counts, show results)."""
    from dbt.cli.main import dbtRunner

    root = tmp_path_factory.mktemp("macro_project")
    _write_project(root)
    flags = ["--project-dir", str(root), "--profiles-dir", str(DBT_PROJECT)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("FUKAN_WAREHOUSE", str(root / "warehouse.duckdb"))
        patch.setenv("DBT_TARGET_PATH", str(root / "target"))
        patch.setenv("DBT_LOG_PATH", str(root / "logs"))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        patch.delenv("FUKAN_DBT_TARGET", raising=False)
        parsed = dbtRunner().invoke(["parse", *flags, "--quiet"])
        assert parsed.success, f"temporary project does not parse: {parsed.exception}"
        runner = dbtRunner(manifest=parsed.result)
        build = runner.invoke(["build", *flags, "--quiet", "--exclude", "macro_checks", "seed_column_types"])
        show = runner.invoke(
            ["show", *flags, "--quiet", "--limit", "-1", "--select", "macro_checks", "seed_column_types"]
        )
    assert build.exception is None, build.exception
    assert show.success, show.exception
    statuses = {result.node.name: str(result.status) for result in build.result.results}
    failures = {result.node.name: result.failures for result in build.result.results}
    tables = {result.node.name: result.agate_table for result in show.result.results}
    return statuses, failures, tables


def test_seeds_load_and_pass_their_tests(dbt_run):
    statuses, _, _ = dbt_run
    seed_nodes = {
        name: status
        for name, status in statuses.items()
        if not name.startswith("expect_") and name not in FIXTURE_MODELS
    }
    seeds = {path.stem for path in SEEDS.glob("*.csv")}
    assert seeds <= set(seed_nodes), f"seeds not built: {seeds - set(seed_nodes)}"
    bad = {name: status for name, status in seed_nodes.items() if status not in ("success", "pass")}
    assert not bad, f"seeds or seed tests did not pass: {bad}"
    ruled = {name.removesuffix("_row_rules") for name in seed_nodes if name.endswith("_row_rules")}
    assert ruled == seeds, f"seeds without row rules: {seeds - ruled}"


@pytest.mark.parametrize(
    "name, expected",
    [(f"expect_{expected}__{name}", expected) for name, *_, expected in GENERIC_TEST_CASES],
)
def test_generic_test_outcome(dbt_run, name, expected):
    statuses, _, _ = dbt_run
    assert statuses.get(name) == expected, f"{name}: got {statuses.get(name)}, expected {expected}"


@pytest.mark.parametrize(("name", "failing_rows"), FAILURE_COUNTS.items())
def test_failures_count_what_breaks(dbt_run, name, failing_rows):
    _, failures, _ = dbt_run
    assert failures.get(f"expect_fail__{name}") == failing_rows


def test_macro_values(dbt_run):
    _, _, tables = dbt_run
    actual = {row["check_name"]: row["actual"] for row in tables["macro_checks"]}
    expected = {name: value for name, _, value in [*MACRO_CHECKS, *AGGREGATE_CHECKS]}
    wrong = {
        name: (actual.get(name), value) for name, value in expected.items() if actual.get(name, "<missing>") != value
    }
    assert not wrong, "macro results (actual, expected): " + repr(wrong)


def test_seed_column_types_are_pinned():
    """Every seed column has a declared type and a description (an empty or all-null
    column would otherwise load as INTEGER on DuckDB)."""
    properties = yaml.safe_load((SEEDS / "_seeds.yml").read_text(encoding="utf-8"))
    declared = {seed["name"]: seed for seed in properties["seeds"]}
    for path in sorted(SEEDS.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        seed = declared.get(path.stem)
        assert seed is not None, f"{path.name}: no entry in seeds/_seeds.yml"
        assert seed.get("description"), f"{path.stem}: no description"
        types = seed.get("config", {}).get("column_types", {})
        assert list(types) == header, f"{path.stem}: column_types {list(types)} != header {header}"
        described = [column["name"] for column in seed.get("columns", []) if column.get("description")]
        assert described == header, f"{path.stem}: described columns {described} != header {header}"


def test_seed_types_in_the_warehouse(dbt_run):
    _, _, tables = dbt_run
    loaded = {(row["table_name"], row["column_name"]): row["data_type"] for row in tables["seed_column_types"]}
    properties = yaml.safe_load((SEEDS / "_seeds.yml").read_text(encoding="utf-8"))
    duckdb_name = {
        "varchar": "VARCHAR",
        "string": "VARCHAR",
        "integer": "INTEGER",
        "boolean": "BOOLEAN",
        "date": "DATE",
        "double precision": "DOUBLE",
        "double": "DOUBLE",
    }
    for seed in properties["seeds"]:
        for column, declared in seed["config"]["column_types"].items():
            if "{{" in declared:  # the target-dependent anchors: text or double
                declared = "double" if "double" in declared else "varchar"
            assert loaded.get((seed["name"], column)) == duckdb_name[declared], (
                f"{seed['name']}.{column}: loaded as {loaded.get((seed['name'], column))}"
            )


def test_library_is_documented():
    """Each macro and generic test of the library has an entry in macros/_macros.yml."""
    documented = {
        entry["name"]
        for entry in yaml.safe_load((DBT_PROJECT / "macros" / "_macros.yml").read_text(encoding="utf-8"))["macros"]
    }
    defined = set()
    for folder in ("cross_database", "generic_tests"):
        for path in (DBT_PROJECT / "macros" / folder).glob("*.sql"):
            text = path.read_text(encoding="utf-8")
            defined |= {
                name
                for name in re.findall(r"{%-?\s*macro\s+(\w+)", text)
                if not re.match(r"(default|duckdb|postgres|spark)__", name)
            }
            defined |= {f"test_{name}" for name in re.findall(r"{%-?\s*test\s+(\w+)", text)}
    assert defined - documented == set(), f"undocumented: {sorted(defined - documented)}"
    assert documented - defined == set(), f"documented but missing: {sorted(documented - defined)}"
