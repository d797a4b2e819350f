"""Write the generated parts of the documentation from the code that defines them.

- docs/landing-contract.md: the objects, columns, types, row rules, formats, limits,
  ledger and quarantine columns, from orchestration/contract.py and orchestration/ingest;
- docs/kpi-definitions.md: every KPI mart and column, from the dbt project's YAML (the
  manifest of `dbt parse`), with labels from seeds/funnel_steps.csv,
  seeds/kpi_benchmarks.csv and orchestration/report/labels.py.

Generated text sits between BEGIN/END GENERATED markers; everything outside them is
written by hand and kept (the KPI changelog, the contract's prose). tests/test_docs.py
fails when a committed page differs from what this script writes.

    python scripts/generate_docs.py          # rewrite the pages
    python scripts/generate_docs.py --check  # exit 1 and name the stale pages
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from orchestration import config, contract
from orchestration.ingest import discovery, encoding, gaps, records, tables, validate
from orchestration.ingest.loader import QUICK_CHECK_MARGIN
from orchestration.report.labels import Labels

REPO = config.PROJECT_ROOT
DOCS = REPO / "docs"
LANDING_CONTRACT = DOCS / "landing-contract.md"
KPI_DEFINITIONS = DOCS / "kpi-definitions.md"
KPI_MODELS = config.DBT_PROJECT_DIR / "models" / "kpi"
KPI_FOLDERS = (KPI_MODELS, config.DBT_PROJECT_DIR / "models" / "kpi_inputs")  # a mart's own models


def begin_marker(name: str) -> str:
    return f"<!-- BEGIN GENERATED: {name} (scripts/generate_docs.py writes this part; edit the code, then rerun it) -->"


def end_marker(name: str) -> str:
    return f"<!-- END GENERATED: {name} -->"


def fill(page: str, sections: dict[str, str]) -> str:
    """``page`` with the text between each section's markers replaced; every section
    must have its markers, once."""
    for name, body in sections.items():
        begin, end = begin_marker(name), end_marker(name)
        pattern = re.compile(rf"<!-- BEGIN GENERATED: {re.escape(name)} .*?-->\n.*?{re.escape(end)}", re.DOTALL)
        found = list(pattern.finditer(page))
        if len(found) != 1:
            raise ValueError(f"the page needs one {begin!r} ... {end!r} pair")
        start, stop = found[0].span()
        page = f"{page[:start]}{begin}\n{body.rstrip()}\n{end}{page[stop:]}"
    return page


def cell(text: object) -> str:
    """Text for one Markdown table cell: one line, pipes escaped."""
    return " ".join(str(text).split()).replace("|", "\\|")


def table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    header = list(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def link(path: Path, text: str | None = None) -> str:
    """A link from a page in docs/ to a file of the repository."""
    relative = path.relative_to(REPO).as_posix()
    return f"[`{text or relative}`](../{relative})"


# --- the landing contract ----------------------------------------------------------------


def _typed(column: contract.Column) -> str:
    return f"`{column.name}`" + ("" if column.type == contract.TEXT else f" ({contract.SQL_TYPES[column.type]})")


def contract_objects() -> str:
    objects = table(
        ["object", "also found as", "required columns", "optional columns"],
        (
            (
                f"`{obj.name}`" + (" (required)" if obj.required_object else ""),
                ", ".join(f"`{n}`" for n in (obj.salesforce_name, *obj.extra_names) if n),
                ", ".join(_typed(c) for c in obj.columns if c.required),
                ", ".join(_typed(c) for c in obj.columns if not c.required),
            )
            for obj in contract.OBJECTS.values()
        ),
    )
    # One line per column and rule, naming the objects it holds for.
    grouped: dict[tuple[str, str], list[str]] = {}
    for rule in contract.row_rules():
        grouped.setdefault((rule.column, rule.rule), []).append(rule.object)
    rules = table(
        ["column", "objects", "plausible values"],
        (
            (
                f"`{column}`",
                "every object" if len(names) == len(contract.OBJECTS) else ", ".join(f"`{n}`" for n in names),
                rule,
            )
            for (column, rule), names in grouped.items()
        ),
    )
    return f"{objects}\n\nRow rules (a value outside them quarantines its row):\n\n{rules}"


def contract_formats() -> str:
    return ", ".join(f"`{suffix}`" for suffix in discovery.FORMATS)


def contract_limits() -> str:
    return table(
        ["limit", "value", "beyond it"],
        [
            (
                "one record (CSV record or JSON line)",
                f"{records.MAX_RECORD_BYTES:,} bytes",
                "the record is quarantined",
            ),
            ("the CSV header line", f"{records.MAX_HEADER_BYTES:,} bytes", "the file fails"),
            (
                "a `.csv.gz` file decompressed",
                f"{encoding.MAX_EXPANSION} times its size, at least {encoding.MIN_EXPANDED_BYTES:,} bytes",
                "the file fails (a decompression bomb)",
            ),
            ("a NUL byte anywhere", "none allowed", "the file fails (binary data)"),
            ("a value quoted in a quarantine reason", f"{validate.SHOWN_VALUE_CHARS} characters", "shortened with …"),
            ("a record's excerpt in the quarantine", f"{gaps.EXCERPT_CHARS} characters", "shortened with …"),
            ("the quick check's margin on modification times", f"{QUICK_CHECK_MARGIN.total_seconds():g} s", ""),
        ],
    )


def contract_tables() -> str:
    def listed(columns: Iterable[tuple[str, str]]) -> str:
        return ", ".join(f"`{name}` {sql_type}" for name, sql_type in columns)

    return table(
        ["table", "columns"],
        [
            (
                "every `raw.<object>`, after its own columns",
                listed((name, tables.META_TYPES[name]) for name in contract.META_COLUMNS),
            ),
            (f"`{config.INGEST_SCHEMA}.{tables.LEDGER_TABLE}`", listed(tables.LEDGER_COLUMNS)),
            (f"`{config.INGEST_SCHEMA}.{tables.QUARANTINE_TABLE}`", listed(tables.QUARANTINE_COLUMNS)),
        ],
    )


def landing_contract_sections() -> dict[str, str]:
    return {
        "formats": f"Extensions read (case ignored): {contract_formats()}.",
        "objects": contract_objects(),
        "limits": contract_limits(),
        "tables": contract_tables(),
    }


# --- KPI definitions ---------------------------------------------------------------------

_LEADING_RATIO = re.compile(r"^`?(\w+)`?\s*/\s*`?(\w+)`?")
_VAR = re.compile(r"\bvar\(\s*['\"](\w+)['\"]")


def load_manifest() -> dict:
    """The dbt manifest, parsed again first when any file of the dbt project changed."""
    from orchestration.dbt_project import ensure_manifest

    return json.loads(ensure_manifest().read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Ratio:
    numerator: str
    denominator: str
    where: str | None = None  # the rows it holds on, as a SQL condition

    def __str__(self) -> str:
        return f"`{self.numerator}` / `{self.denominator}`" + (f" (where {self.where})" if self.where else "")


def declared_ratios(manifest: dict) -> dict[str, dict[str, Ratio]]:
    """Model id -> rate column -> its Ratio, as the models' ``row_rules`` tests declare
    them (``rates`` and ``ratios``: ``[numerator, denominator]`` or a mapping that may add
    ``where``)."""
    declared: dict[str, dict[str, Ratio]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        if node["resource_type"] != "test" or metadata.get("name") != "row_rules":
            continue
        for kind in ("rates", "ratios"):
            for rate, spec in (metadata["kwargs"].get(kind) or {}).items():
                parts = spec if isinstance(spec, dict) else dict(zip(("numerator", "denominator"), spec, strict=True))
                declared.setdefault(node["attached_node"], {}).setdefault(
                    rate, Ratio(parts["numerator"], parts["denominator"], parts.get("where"))
                )
    return declared


def ratio(column: dict, model_columns: set[str], declared: dict[str, Ratio]) -> Ratio | None:
    """A rate's numerator and denominator: as its tests declare them, else from a
    definition that opens with ``a / b``."""
    if column["name"] in declared:
        return declared[column["name"]]
    found = _LEADING_RATIO.match(column.get("description", ""))
    if found and {found.group(1), found.group(2)} <= model_columns:
        return Ratio(found.group(1), found.group(2))
    return None


class Lineage:
    """What is upstream of a KPI mart: models and seeds, and the vars their SQL and macros
    read; either all of it, or only the mart's own part (models/kpi, models/kpi_inputs),
    which stops at the facts and dimensions it reads."""

    def __init__(self, manifest: dict) -> None:
        self.nodes = manifest["nodes"]
        self.macros = manifest["macros"]

    def _parents(self, unique_id: str) -> list[str]:
        return [n for n in self.nodes[unique_id]["depends_on"].get("nodes", []) if n in self.nodes]

    def _is_own(self, unique_id: str) -> bool:
        return unique_id.startswith("model.") and _source(self.nodes[unique_id]).parent in KPI_FOLDERS

    def upstream(self, unique_id: str, *, own: bool = False) -> set[str]:
        """Every node above ``unique_id``; with ``own``, only through the mart's own models."""
        seen: set[str] = set()
        todo = [unique_id]
        while todo:
            for parent in self._parents(todo.pop()):
                if parent not in seen:
                    seen.add(parent)
                    if not own or self._is_own(parent):
                        todo.append(parent)
        return seen

    def _macros_of(self, node_ids: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        todo = [m for n in node_ids for m in self.nodes[n]["depends_on"].get("macros", [])]
        while todo:
            macro = todo.pop()
            if macro not in seen and macro in self.macros:
                seen.add(macro)
                todo += self.macros[macro]["depends_on"]["macros"]
        return seen

    def inputs(self, unique_id: str) -> list[str]:
        """The models outside the mart's own part that it reads (facts, dimensions and
        intermediate models)."""
        above = self.upstream(unique_id, own=True)
        return sorted(self.nodes[n]["name"] for n in above if n.startswith("model.") and not self._is_own(n))

    def seeds(self, unique_id: str, *, own: bool = False) -> list[str]:
        above = self.upstream(unique_id, own=own)
        return sorted(self.nodes[n]["name"] for n in above if n.startswith("seed."))

    def vars(self, unique_id: str, *, own: bool = False) -> list[str]:
        above = self.upstream(unique_id, own=own) | {unique_id}
        models = [n for n in above if n.startswith("model.") and (not own or self._is_own(n))]
        code = [self.nodes[n]["raw_code"] for n in models]
        code += [self.macros[m]["macro_sql"] for m in self._macros_of(models)]
        return sorted({name for text in code for name in _VAR.findall(text)})


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def label_finder() -> Callable[[str], str]:
    """The report's words for a mart column, ``ja / en``; '' when the report has none."""
    steps = {row["count_column"]: row["funnel_step"] for row in _csv_rows(config.SEEDS_DIR / "funnel_steps.csv")}
    benchmarks = {row["kpi"]: row for row in _csv_rows(config.SEEDS_DIR / "kpi_benchmarks.csv")}
    words = {lang: Labels(lang) for lang in ("ja", "en")}

    def word(column: str, lang: str) -> str | None:
        t = words[lang]
        if column in steps:
            return t.step(steps[column])
        if column in benchmarks:
            return benchmarks[column][f"kpi_label_{lang}"]
        try:
            return t[column]
        except KeyError:
            target = t.target_kpi(column)
            return None if target == column else target

    def find(column: str) -> str:
        ja, en = word(column, "ja"), word(column, "en")
        return f"{ja} / {en}" if ja and en else ""

    return find


def project_vars() -> dict[str, object]:
    project = yaml.safe_load((config.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return project.get("vars", {})


def _source(node: dict) -> Path:
    return config.DBT_PROJECT_DIR / node["original_file_path"]


def _yaml_path(node: dict) -> Path:
    return config.DBT_PROJECT_DIR / node["patch_path"].split("://", 1)[1]


def kpi_marts(manifest: dict) -> list[dict]:
    """The models whose SQL lies in models/kpi, by name."""
    return sorted(
        (
            node
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and _source(node).parent == KPI_MODELS
        ),
        key=lambda node: node["name"],
    )


def _seed_link(name: str) -> str:
    return link(config.SEEDS_DIR / f"{name}.csv", name)


def _listed(names: Iterable[str], show: Callable[[str], str] = lambda n: f"`{n}`") -> str:
    return ", ".join(show(n) for n in names) or "none"


def kpi_mart_section(node: dict, lineage: Lineage, label: Callable[[str], str], declared: dict[str, Ratio]) -> str:
    name, uid, columns = node["name"], node["unique_id"], node["columns"]
    keys = [c["columns"] for c in node.get("constraints", []) if c["type"] == "primary_key"]
    own = sorted(lineage.nodes[n]["name"] for n in lineage.upstream(uid, own=True) if lineage._is_own(n))
    facts = [
        f"Published as `{node['schema']}.{node['alias']}`; computed by {link(_source(node))}, "
        f"described in {link(_yaml_path(node))}.",
        f"One row per {_listed(keys[0])} (primary key)." if keys else None,
        f"Its inputs in `models/kpi_inputs`: {_listed(own)}." if own else None,
        f"Reads from the layers below: {_listed(lineage.inputs(uid))}.",
        f"Seeds it reads itself: {_listed(lineage.seeds(uid, own=True), _seed_link)}; "
        f"vars: {_listed(lineage.vars(uid, own=True))}. Through the layers below, the seeds "
        "and vars listed under [Seeds and vars](#seeds-and-vars) change it too.",
    ]
    rows = []
    for column in columns.values():
        parts = ratio(column, set(columns), declared)
        rows.append(
            (
                f"`{column['name']}`",
                column.get("description", ""),
                str(parts) if parts else "",
                label(column["name"]),
            )
        )
    return "\n\n".join(
        [
            f"## {name}",
            " ".join(node.get("description", "").split()),
            "\n".join(f"- {fact}" for fact in facts if fact),
            table(["column", "definition", "numerator / denominator", "label (ja / en)"], rows),
        ]
    )


def seeds_and_vars(marts: list[dict], lineage: Lineage) -> str:
    """Each seed and var upstream of a KPI mart: which marts read it themselves, which
    through the facts and dimensions."""
    reach: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for node in marts:
        uid = node["unique_id"]
        for kind, names, own in (
            ("seed", lineage.seeds(uid), lineage.seeds(uid, own=True)),
            ("var", lineage.vars(uid), lineage.vars(uid, own=True)),
        ):
            for name in names:
                direct, through = reach.setdefault((kind, name), ([], []))
                (direct if name in own else through).append(node["name"])
    defaults = project_vars()
    every = [node["name"] for node in marts]

    def marts_cell(names: list[str]) -> str:
        return "every KPI mart" if names == every else ", ".join(names)

    rows = []
    for (kind, name), (direct, through) in sorted(reach.items()):
        if kind == "seed":
            what = _seed_link(name)
        else:
            value = defaults.get(name)
            what = f"var `{name}` = {'null' if value is None else json.dumps(value, ensure_ascii=False)}"
        rows.append((what, marts_cell(direct), marts_cell(through)))
    return "\n\n".join(
        [
            "## Seeds and vars",
            "Var defaults are in "
            + link(config.DBT_PROJECT_DIR / "dbt_project.yml")
            + "; override one for a build with `fukan dbt -- build --vars '{name: value}'`.",
            table(["seed or var", "read by the mart itself", "reaches the mart through the layers below"], rows),
        ]
    )


DEFINITION_VERSION_VAR = "kpi_definition_version"


def definition_version() -> int:
    """The KPI marts' definition version: the dbt var, bumped with a changelog entry."""
    version = project_vars().get(DEFINITION_VERSION_VAR)
    if version is None:
        raise ValueError(f"dbt_project.yml has no var {DEFINITION_VERSION_VAR}")
    return version


def kpi_definitions_sections(manifest: dict) -> dict[str, str]:
    lineage, label, declared = Lineage(manifest), label_finder(), declared_ratios(manifest)
    marts = kpi_marts(manifest)
    version = (
        f"Definition version **{definition_version()}** (var `{DEFINITION_VERSION_VAR}` in "
        f"{link(config.DBT_PROJECT_DIR / 'dbt_project.yml')}; what changed in each version: "
        "[changelog](#changelog-of-definition-versions))."
    )
    contents = "\n".join(f"- [{node['name']}](#{node['name']})" for node in marts)
    contents += "\n- [Seeds and vars](#seeds-and-vars)"
    sections = [kpi_mart_section(node, lineage, label, declared.get(node["unique_id"], {})) for node in marts]
    body = [version, contents, *sections, seeds_and_vars(marts, lineage)]
    return {"kpi-marts": "\n\n".join(body)}


# --- the pages ---------------------------------------------------------------------------


def pages(manifest: dict | None = None) -> dict[Path, str]:
    """Each generated page as this script would write it, from the committed page's
    hand-written parts and the code as it is now."""
    manifest = manifest if manifest is not None else load_manifest()
    return {
        LANDING_CONTRACT: fill(LANDING_CONTRACT.read_text(encoding="utf-8"), landing_contract_sections()),
        KPI_DEFINITIONS: fill(KPI_DEFINITIONS.read_text(encoding="utf-8"), kpi_definitions_sections(manifest)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a page is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in pages().items():
        if path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.write_text(text, encoding="utf-8")
    for path in stale:
        verb = "is stale" if args.check else "rewritten"
        print(f"{path.relative_to(REPO)} {verb}")
    return 1 if stale and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
