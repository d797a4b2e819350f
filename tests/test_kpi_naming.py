"""One vocabulary across the KPI marts: every column of every KPI mart is named in the
naming table docs/kpi-naming.yml (by name or by pattern), the table lists no name that
no mart uses, and its version is the dbt var kpi_definition_version."""

from __future__ import annotations

import csv
import itertools
import json
import re
from pathlib import Path

import yaml

from orchestration import config
from orchestration.dbt_project import ensure_manifest

NAMING = config.PROJECT_ROOT / "docs" / "kpi-naming.yml"


def _naming() -> dict:
    return yaml.safe_load(NAMING.read_text(encoding="utf-8"))


def _placeholders(naming: dict) -> dict[str, list[str]]:
    """The table's lists, plus the funnel steps and their count columns from the seed."""
    with (config.SEEDS_DIR / "funnel_steps.csv").open(encoding="utf-8") as seed:
        steps = sorted(csv.DictReader(seed), key=lambda row: int(row["step_number"]))
    return {
        **naming["placeholders"],
        "step": [row["funnel_step"] for row in steps],
        "step_count": [row["count_column"] for row in steps],
    }


def _pattern_names(pattern: str, placeholders: dict[str, list[str]]) -> set[str]:
    """Every name a pattern stands for: each placeholder replaced by each of its values."""
    fields = re.findall(r"\{(\w+)\}", pattern)
    template = re.sub(r"\{\w+\}", "{}", pattern)
    return {template.format(*values) for values in itertools.product(*(placeholders[f] for f in fields))}


def _named(naming: dict) -> dict[str, str]:
    """Column name -> the table's entry (the name itself or the pattern) that names it."""
    placeholders = _placeholders(naming)
    named = {name: name for name in naming["columns"]}
    for pattern in naming["patterns"]:
        for name in _pattern_names(pattern, placeholders):
            assert name not in named, f"{name} is named twice: by {named[name]!r} and {pattern!r}"
            named[name] = pattern
    return named


def _mart_columns() -> dict[str, list[str]]:
    """KPI mart -> its columns, as the enforced contracts declare them."""
    manifest = json.loads(ensure_manifest().read_text(encoding="utf-8"))
    return {
        node.get("alias") or node["name"]: list(node["columns"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and Path(node["original_file_path"]).parts[:2] == ("models", "kpi")
    }


def test_every_kpi_mart_column_is_in_the_naming_table() -> None:
    named = _named(_naming())
    marts = _mart_columns()
    # Every model file in models/kpi is a contracted mart with columns (none slips past unnamed).
    assert len(marts) == len(list((config.DBT_PROJECT_DIR / "models" / "kpi").glob("*.sql")))
    assert all(marts.values())
    unnamed = sorted(f"{mart}.{column}" for mart, columns in marts.items() for column in columns if column not in named)
    assert unnamed == [], f"name these columns in {NAMING.name} (or use a name it has): {unnamed}"


def test_the_naming_table_lists_only_names_a_mart_uses() -> None:
    naming = _naming()
    used = {column for columns in _mart_columns().values() for column in columns}
    placeholders = _placeholders(naming)
    unused = [name for name in naming["columns"] if name not in used]
    unused += [pattern for pattern in naming["patterns"] if not _pattern_names(pattern, placeholders) & used]
    assert unused == []


def test_the_naming_table_carries_the_kpi_definition_version() -> None:
    project = yaml.safe_load((config.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    assert _naming()["version"] == project["vars"]["kpi_definition_version"]


def test_a_synonym_is_not_named() -> None:
    """The old spellings of the period end and completeness are no names of the table."""
    named = _named(_naming())
    assert {"period_end", "is_complete_period", "is_complete_week"}.isdisjoint(named)
    assert {"period_end_date", "is_period_complete", "quality_lead_rate_won", "calls_on_quality_leads"} <= set(named)
