"""The documentation stays true: generated pages equal what their generator writes now,
every KPI mart column has a definition, every link resolves inside the repository, and
no file points at a file the repository does not hold."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "generate_docs.py"


def _load_generator():
    spec = importlib.util.spec_from_file_location("generate_docs", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


@pytest.fixture(scope="module")
def manifest() -> dict:
    return generator.load_manifest()


@cache
def tracked_files() -> tuple[Path, ...]:
    """Files git tracks, or would track (new, not ignored): build output, logs and other
    ignored files are not the repository."""
    names = (
        subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        .stdout.decode("utf-8")
        .split("\0")
    )
    return tuple(REPO / name for name in names if name and (REPO / name).is_file())


def _text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None  # binary


# --- generated pages ---------------------------------------------------------------------


def test_generated_pages_equal_what_the_generator_writes(manifest):
    stale = [
        path.relative_to(REPO).as_posix()
        for path, text in generator.pages(manifest).items()
        if path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"{', '.join(stale)} stale: run python scripts/generate_docs.py and commit the result"


def kpi_page_problems(marts: list[dict], page: str) -> list[str]:
    """Each KPI mart or column without a definition in the YAML or an entry on the page."""
    sections = dict(re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", page, re.MULTILINE | re.DOTALL))
    problems = []
    for mart in marts:
        name = mart["name"]
        # An enforced contract makes the YAML columns the table's columns: a column the
        # SQL adds without an entry fails the build, so the page cannot miss it.
        if not mart["contract"]["enforced"]:
            problems.append(f"{name}: the contract is not enforced, so its YAML may miss columns")
        if not mart.get("description", "").strip():
            problems.append(f"{name}: no description")
        documented = set(re.findall(r"^\| `(\w+)` \| (?=\S)", sections.get(name, ""), re.MULTILINE))
        for column in mart["columns"].values():
            if not column.get("description", "").strip():
                problems.append(f"{name}.{column['name']}: no description in the YAML")
            if column["name"] not in documented:
                problems.append(f"{name}.{column['name']}: no entry on docs/kpi-definitions.md")
    return problems


def test_every_kpi_mart_and_column_has_a_definition_on_the_page(manifest):
    marts = generator.kpi_marts(manifest)
    sql_files = sorted(p.stem for p in generator.KPI_MODELS.glob("*.sql"))
    assert [m["name"] for m in marts] == sql_files, "a SQL file in models/kpi is not a model dbt knows"
    problems = kpi_page_problems(marts, generator.KPI_DEFINITIONS.read_text(encoding="utf-8"))
    assert not problems, "\n".join(problems)


def test_the_kpi_check_finds_a_column_without_an_entry():
    mart = {
        "name": "kpi_x",
        "description": "Grain: one row per day.",
        "contract": {"enforced": True},
        "columns": {
            "day": {"name": "day", "description": "The day."},
            "calls": {"name": "calls", "description": ""},
            "rate": {"name": "rate", "description": "A rate."},
        },
    }
    page = "## kpi_x\n\n| column | definition |\n|---|---|\n| `day` | The day. |\n| `calls` |  |\n"
    assert kpi_page_problems([mart], page) == [
        "kpi_x.calls: no description in the YAML",
        "kpi_x.calls: no entry on docs/kpi-definitions.md",
        "kpi_x.rate: no entry on docs/kpi-definitions.md",
    ]


def test_the_changelog_is_kept_and_opens_with_the_current_version(manifest):
    page = generator.pages(manifest)[generator.KPI_DEFINITIONS]
    changelog = page.split(generator.end_marker("kpi-marts"), 1)[1]
    assert "## Changelog of definition versions" in changelog
    newest = re.search(r"^### (.*)$", changelog, re.MULTILINE)
    version = generator.definition_version()
    assert newest and newest.group(1).startswith(f"Version {version} "), (
        f"var {generator.DEFINITION_VERSION_VAR} is {version}: the changelog's newest entry must be "
        f"'### Version {version} (<date>)'"
    )


def test_fill_replaces_only_between_the_markers():
    page = f"hand\n{generator.begin_marker('x')}\nold\n{generator.end_marker('x')}\nkept\n"
    assert generator.fill(page, {"x": "new"}) == (
        f"hand\n{generator.begin_marker('x')}\nnew\n{generator.end_marker('x')}\nkept\n"
    )
    with pytest.raises(ValueError, match="needs one"):
        generator.fill("no markers", {"x": "new"})


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        # As the row_rules test declares it.
        ({"name": "declared", "description": "calls / connected"}, generator.Ratio("connected", "calls")),
        # From a definition that opens with a / b, both columns of the mart.
        (
            {"name": "r", "description": "hearing / connected; null without calls."},
            generator.Ratio("hearing", "connected"),
        ),
        ({"name": "r", "description": "items / days where days is not a column"}, None),
        ({"name": "r", "description": "A count."}, None),
    ],
)
def test_ratio_reads_numerator_and_denominator(column, expected):
    declared = {"declared": generator.Ratio("connected", "calls")}
    assert generator.ratio(column, {"r", "calls", "connected", "hearing", "items"}, declared) == expected


def test_declared_ratios_come_from_row_rules_tests():
    manifest = {
        "nodes": {
            "test.a": {
                "resource_type": "test",
                "attached_node": "model.m",
                "test_metadata": {
                    "name": "row_rules",
                    "kwargs": {
                        "rates": {"r": ["n", "d"], "c": {"numerator": "n", "denominator": "d", "where": "k = 1"}},
                        "ratios": {"x": ["a", "b"]},
                    },
                },
            },
            "test.b": {
                "resource_type": "test",
                "attached_node": "model.m",
                "test_metadata": {"name": "unique", "kwargs": {"rates": {"q": ["n", "d"]}}},
            },
            "model.m": {"resource_type": "model"},
        }
    }
    Ratio = generator.Ratio
    assert generator.declared_ratios(manifest) == {
        "model.m": {"r": Ratio("n", "d"), "c": Ratio("n", "d", "k = 1"), "x": Ratio("a", "b")}
    }
    assert str(Ratio("n", "d", "k = 1")) == "`n` / `d` (where k = 1)"


def test_the_contract_page_lists_every_object_column_and_row_rule():
    from orchestration import contract

    page = generator.LANDING_CONTRACT.read_text(encoding="utf-8")
    for obj in contract.OBJECTS.values():
        row = re.search(rf"^\| `{obj.name}`.*$", page, re.MULTILINE)
        assert row, f"{obj.name} is not on docs/landing-contract.md"
        for column in obj.columns:
            assert f"`{column.name}`" in row.group(0), f"{obj.name}.{column.name} is not on the page"
    # Row-rule rows: | `column` | objects | rule |, one per column and rule.
    listed = {
        (column, rule): objects
        for column, objects, rule in re.findall(r"^\| `(\w+)` \| ([^|\n]*) \| ([^|\n]*) \|$", page, re.MULTILINE)
    }
    for rule in contract.row_rules():
        objects = listed.get((rule.column, rule.rule), "")
        assert objects == "every object" or f"`{rule.object}`" in objects, f"row rule {rule} is not on the page"


# --- links and references ----------------------------------------------------------------

_FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN = re.compile(r"(`+).+?\1", re.DOTALL)
_INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")
_EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, ...


def _prose(markdown: str) -> str:
    """The Markdown without code blocks and code spans, where links are not links."""
    return _CODE_SPAN.sub("", _FENCE.sub("", markdown))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: the rendered text in lowercase, punctuation other
    than - and _ dropped, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


@cache
def anchors(path: Path) -> frozenset[str]:
    text = _FENCE.sub("", path.read_text(encoding="utf-8"))
    found: set[str] = set(_HTML_ANCHOR.findall(text))
    counts: dict[str, int] = {}
    for heading in _HEADING.findall(text):
        base = slug(heading)
        found.add(base if base not in counts else f"{base}-{counts[base]}")
        counts[base] = counts.get(base, 0) + 1
    return frozenset(found)


def _inside(path: Path) -> bool:
    tracked = tracked_files()
    return path in tracked or any(path in file.parents for file in tracked)


def broken_links(page: Path, text: str) -> list[str]:
    """Each link of ``text``, the Markdown of ``page``, that leaves the repository or
    names nothing in it."""
    prose = _prose(text)
    problems = []
    for target in _INLINE_LINK.findall(prose) + _REFERENCE_LINK.findall(prose):
        if _EXTERNAL.match(target):
            continue
        path_part, _, anchor = target.partition("#")
        resolved = (page.parent / path_part).resolve() if path_part else page
        if not resolved.is_relative_to(REPO):
            problems.append(f"{target}: outside the repository")
        elif not _inside(resolved):
            problems.append(f"{target}: no such file in the repository")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
            problems.append(f"{target}: no heading or anchor #{anchor} in {resolved.relative_to(REPO)}")
    return problems


def test_every_markdown_link_resolves_inside_the_repository():
    problems = [
        f"{page.relative_to(REPO)}: {problem}"
        for page in tracked_files()
        if page.suffix == ".md"
        for problem in broken_links(page, page.read_text(encoding="utf-8"))
    ]
    assert not problems, "\n".join(problems)


def test_the_link_check_finds_broken_links():
    text = (
        "[ok](landing-contract.md#limits) [gone](nowhere.md) [out](../../etc/passwd) "
        "[anchor](landing-contract.md#no-such-part) `[code](nowhere.md)` [web](https://example.com)\n"
        "[self](#limits) [folder](../orchestration/ingest/)\n\n[ref]: ../bench/missing.md\n"
    )
    assert broken_links(REPO / "docs" / "landing-contract.md", text) == [
        "nowhere.md: no such file in the repository",
        "../../etc/passwd: outside the repository",
        "landing-contract.md#no-such-part: no heading or anchor #no-such-part in docs/landing-contract.md",
        "../bench/missing.md: no such file in the repository",
    ]


def test_slug_follows_github():
    assert slug("Files that fail, and empty files") == "files-that-fail-and-empty-files"
    assert slug("kpi_funnel_overview") == "kpi_funnel_overview"
    assert slug("Contributing: keep these pages true") == "contributing-keep-these-pages-true"
    assert slug("The `fukan` CLI") == "the-fukan-cli"


# Names of project inputs that were never part of the repository; a clone cannot follow them.
OUTSIDE_NAMES = re.compile(
    r"KPI_SPEC|CONTRACT\.md|STACK_NOTES|STYLE\.md|ARCHITECTURE\.md|\.\./shared|(?<![\w.-])shared/"
)
_MD_REFERENCE = re.compile(r"(?<![\w./-])([\w./-]*\w\.md)\b")


def _md_reference_resolves(reference: str, file: Path) -> bool:
    """A path ending in .md names a tracked file, from the repository root or from the
    file that mentions it; a bare name, a tracked file of that name anywhere."""
    tracked = tracked_files()
    if "/" not in reference:
        return any(path.name == reference for path in tracked)
    candidates = [(REPO / reference).resolve(), (file.parent / reference).resolve()]
    return any(path in tracked for path in candidates)


def test_no_file_refers_to_a_file_outside_the_repository():
    problems = []
    for file in tracked_files():
        if file == Path(__file__).resolve():
            continue  # this file names them in order to find them
        text = _text(file)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), start=1):
            where = f"{file.relative_to(REPO)}:{number}"
            outside = OUTSIDE_NAMES.findall(line)
            if outside:
                problems.append(f"{where}: names {', '.join(outside)}, outside the repository")
            if file.suffix != ".md":
                problems += [
                    f"{where}: {reference} is not in the repository"
                    for reference in _MD_REFERENCE.findall(line)
                    if not OUTSIDE_NAMES.search(reference) and not _md_reference_resolves(reference, file)
                ]
    assert not problems, "\n".join(problems)
