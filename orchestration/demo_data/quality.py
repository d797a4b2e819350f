"""The default quality-lead rules, and the generator's own scoring with them.

`seeds/quality_lead_rules.csv` ships DEFAULT_QUALITY_RULES as the default definition, so
the generator's notion of a good lead and the warehouse's default definition agree:
quality leads really do convert better in the demo data, and the KPI marts show it.
Semantics follow the rule seed (quality_lead_rules in seeds/_seeds.yml): null matches
nothing, `matches` is a regex search.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import numpy as np

QUALITY_THRESHOLD = 3


class QualityRule(NamedTuple):
    rule_id: str
    attribute: str
    operator: str
    value: str
    points: int


DEFAULT_QUALITY_RULES: tuple[QualityRule, ...] = (
    QualityRule("target_industry", "industry", "in", "製造業|情報通信業|金融業・保険業", 1),
    QualityRule("mid_size_company", "number_of_employees", "between", "100|5000", 1),
    QualityRule("large_company", "number_of_employees", "between", "5001|10000000", 2),
    QualityRule(
        "decision_maker_title",
        "title",
        "matches",
        "社長([^室]|$)|取締役|執行役員|本部長|部長|CEO|COO|CFO|CTO|Director",
        2,
    ),
    QualityRule("manager_title", "title", "matches", "課長|マネージャー|マネジャー|Manager", 1),
    QualityRule("deputy_title", "title", "matches", "代理|代行|補佐|副(本部長|部長|課長)", -1),
    QualityRule("warm_source", "lead_source", "in", "Partner Referral|Seminar", 1),
    QualityRule("student", "title", "matches", "(学生|院生|[Ss]tudent)[ 　]*$", -3),
)


def _matches(values: np.ndarray, labels: tuple[str | None, ...], rule: QualityRule) -> np.ndarray:
    """Evaluate a text rule once per label, then look the answer up per row."""
    pattern = re.compile(rule.value)
    options = set(rule.value.split("|"))
    hit = np.array(
        [
            label is not None
            and (pattern.search(label) is not None if rule.operator == "matches" else label in options)
            for label in labels
        ]
        + [False]
    )  # index -1 (null) hits nothing
    return hit[values]


def quality_points(
    text: dict[str, tuple[np.ndarray, tuple[str | None, ...]]],
    numbers: dict[str, np.ndarray],
    rules: tuple[QualityRule, ...] = DEFAULT_QUALITY_RULES,
) -> np.ndarray:
    """Points per lead. Text attributes come as (codes, labels) with -1 for null; numbers use -1."""
    points = np.zeros(next(iter(numbers.values())).shape[0], dtype=np.int64)
    for rule in rules:
        if rule.operator == "between":
            low, high = (float(v) for v in rule.value.split("|"))
            value = numbers[rule.attribute]
            hit = (value >= 0) & (value >= low) & (value <= high)
        else:
            codes, labels = text[rule.attribute]
            hit = _matches(codes, labels, rule)
        points += np.where(hit, rule.points, 0)
    return points
