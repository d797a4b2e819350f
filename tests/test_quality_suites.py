"""The GX suites: the committed JSON is what the code builds, the file context reads it,
no expectation repeats a dbt test, and the suites judge small frames as intended."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from orchestration import config
from orchestration.quality import parameters
from orchestration.quality.suites import build_suites, suite_json, suite_path
from orchestration.quality.validate import SUITES_DIR, Frame, QualityRunner, load_suites


def test_committed_suites_are_what_the_code_builds() -> None:
    """Regenerate with `python -m orchestration.quality.suites` after changing suites.py."""
    built = {suite.name: suite_json(suite.build()) for suite in build_suites()}
    committed = {
        json.loads(p.read_text(encoding="utf-8"))["name"]: p.read_text(encoding="utf-8")
        for p in SUITES_DIR.rglob("*.json")
    }
    assert committed == built
    assert all(suite_path(name).exists() for name in built)


def test_the_gx_file_context_lists_the_committed_suites(tmp_path: Path) -> None:
    import great_expectations as gx

    shutil.copytree(config.EXPECTATIONS_DIR, tmp_path / "expectations")
    context = gx.get_context(context_root_dir=str(tmp_path / "expectations"))
    assert sorted(s.name for s in context.suites.all()) == sorted(load_suites())
    lead = context.suites.get("raw.lead")
    assert lead.meta["guards"] == "raw.lead" and lead.expectations


# What a dbt test checks, in words both tools share: (relation, columns, kind).
_DBT_KINDS = {
    "not_null": "not_null",
    "unique": "unique",
    "accepted_values": "in_set",
    "relationships": "in_set",
    "accepted_range": "range",
}
_GX_KINDS = {
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_in_set": "in_set",
    "expect_column_values_to_be_between": "range",
    "expect_column_median_to_be_between": "median",
    "expect_table_columns_to_match_set": "columns",
}


# A contract constraint, in the same words: a column's check may bound it or list its values.
_CONSTRAINT_KINDS = {
    "not_null": ("not_null",),
    "unique": ("unique",),
    "primary_key": ("unique",),
    "check": ("range", "in_set"),
}


def _constraint_checks(relation: str, node: dict) -> set[tuple[str, frozenset[str], str]]:
    found = set()
    for constraint in node.get("constraints", []):
        found |= {
            (relation, frozenset(constraint["columns"]), kind) for kind in _CONSTRAINT_KINDS.get(constraint["type"], ())
        }
    for column in node.get("columns", {}).values():
        for constraint in column.get("constraints", []):
            found |= {
                (relation, frozenset([column["name"]]), kind) for kind in _CONSTRAINT_KINDS.get(constraint["type"], ())
            }
    return found


def _dbt_checks() -> set[tuple[str, frozenset[str], str]]:
    """What the dbt tests and the models' contract constraints check."""
    from orchestration.dbt_project import ensure_manifest

    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    parents = {**manifest["nodes"], **manifest["sources"]}
    found = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model":
            found |= _constraint_checks(f"{node['schema']}.{node.get('alias') or node['name']}", node)
        if node["resource_type"] != "test" or not node.get("test_metadata") or not node.get("attached_node"):
            continue
        kind = _DBT_KINDS.get(node["test_metadata"]["name"])
        parent = parents[node["attached_node"]]
        relation = f"{parent['schema']}.{parent.get('alias') or parent['name']}"
        kwargs = node["test_metadata"].get("kwargs", {})
        if node["test_metadata"]["name"] == "row_rules":  # several columns' rules in one test
            found |= {
                (relation, frozenset([column]), _DBT_KINDS[argument])
                for argument in ("not_null", "unique", "accepted_values")
                for column in kwargs.get(argument, ())
            }
            found |= {(relation, frozenset(columns), "unique") for columns in kwargs.get("unique_combinations", ())}
            found |= {
                (relation, frozenset([rate]), "range") for rate in [*kwargs.get("rates", ()), *kwargs.get("ratios", ())]
            }
            found |= {
                (relation, frozenset(pair), "order")  # neighbours along the funnel
                for columns in kwargs.get("not_increasing_along", ())
                for pair in itertools.pairwise(columns)
            }
        elif kind and node.get("column_name"):
            found.add((relation, frozenset([node["column_name"]]), kind))
    return found


def test_no_gx_expectation_repeats_a_dbt_test_on_the_same_column() -> None:
    dbt = _dbt_checks()
    assert ("kpi.kpi_funnel_overview", frozenset(["lead_to_worked_rate"]), "range") in dbt  # the parser sees them
    assert ("marts.fct_leads", frozenset(["lead_quality"]), "in_set") in dbt  # and the row rules
    repeated = []
    for name, suite in load_suites().items():
        relation = suite["meta"]["frame"]["relation"]
        for expectation in suite["expectations"]:
            kind = _GX_KINDS[expectation["type"]]  # a new expectation type must be classified here
            column = expectation["kwargs"].get("column")
            if column and (relation, frozenset([column]), kind) in dbt:
                repeated.append(f"{name}: {expectation['type']} on {column}")
    assert repeated == []


@pytest.fixture(scope="module")
def runner(tmp_path_factory: pytest.TempPathFactory) -> QualityRunner:
    return QualityRunner(tmp_path_factory.mktemp("gx_home"), "unit")


def _volume(previous: dict[str, int | None], current: dict[str, int]) -> Frame:
    rows = [
        (
            f"{r} rows" if r != "lead volume" else r,
            "kpi.kpi_funnel_overview" if r == "lead volume" else r,
            current[r],
            previous[r],
        )
        for r in current
    ]
    data = pd.DataFrame(rows, columns=["metric", "relation", "current", "previous"])
    data["ratio"] = (data["current"] / data["previous"]).astype("float64")
    return Frame(data, "test", index_columns=("relation", "metric"))


@pytest.mark.parametrize(
    ("previous", "current", "failing", "warned"),
    [
        ((None, None), (3000, 3000), [], False),
        ((3000, 3000), (3050, 3050), [], False),
        ((3000, 3000), (300, 300), ["kpi.kpi_funnel_overview", "marts.fct_leads"], False),
        ((3000, 3000), (3000, 2000), ["kpi.kpi_funnel_overview"], False),
        ((1000, 1000), (5000, 5000), [], True),
    ],
    ids=["first_publish", "normal_day", "collapse_by_90_percent", "lead_volume_drop", "backfill_warns"],
)
def test_volume_against_the_last_publish(runner, previous, current, failing, warned) -> None:
    """(fct_leads rows, lead volume) before and now."""
    metrics = ("marts.fct_leads", "lead volume")
    frame = _volume(dict(zip(metrics, previous, strict=True)), dict(zip(metrics, current, strict=True)))
    outcome = runner.validate(load_suites()["published.volume"], frame, {})
    assert outcome.passed is not failing
    critical = [f for f in outcome.failures if f.severity == parameters.CRITICAL]
    assert sorted({row["relation"] for f in critical for row in f.rows}) == failing
    assert any(f.severity == parameters.WARNING for f in outcome.failures) is warned


def test_seed_domains_block_an_unmapped_status_but_only_report_an_unmapped_disposition(runner) -> None:
    values = parameters.expectation_parameters()
    task = pd.DataFrame(
        {
            "call_disposition_key": ["connected", "fax tone"],
            "call_disposition": ["Connected", "Fax Tone"],
            "task_subtype": ["Call", "Call"],
            "type": ["Call", "Call"],
        }
    )
    disposition = [
        e
        for e in load_suites()["raw.task"]["expectations"]
        if e["kwargs"].get("column", "").startswith("call_disposition")
    ]
    outcome = runner.validate({**load_suites()["raw.task"], "expectations": disposition}, Frame(task, "test"), values)
    assert outcome.passed and [f.severity for f in outcome.failures] == [parameters.WARNING]

    lead = pd.DataFrame({"status": ["Open - Not Contacted", "Nurturing"]})
    domain = [e for e in load_suites()["raw.lead"]["expectations"] if e["type"] == "expect_column_values_to_be_in_set"]
    outcome = runner.validate({**load_suites()["raw.lead"], "expectations": domain}, Frame(lead, "test"), values)
    assert not outcome.passed and "Nurturing" in str(outcome.failures[0])
