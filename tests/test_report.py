"""The KPI overview report as a person sees it: built from the published copy, opened in
headless Chromium (Debian's package, /usr/bin/chromium, with fonts-noto-cjk), with no
console error and no network request, showing the published mart's figures in Japanese
type and the reporting time zone, and drawing a non-blank page; and rendered from every
state the marts may legally hold (nulls in any nullable column, no rows at all)."""

from __future__ import annotations

import argparse
import json
import re
import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pandas as pd
import pytest
import yaml
from browser import CHROMIUM, Chromium
from dagster import AssetKey, DagsterInstance
from png_pixels import decode_png

from orchestration import config
from orchestration.assets.report import DOCS_KEY, REPORT_KEY
from orchestration.build_state import definitions_fingerprint
from orchestration.publish.layout import DATABASE, DBT_DOCS, MANIFEST
from orchestration.report.build import FILE_NAMES, render, report_command
from orchestration.report.data import read_published
from orchestration.report.dbt_docs import FINGERPRINT_FILE
from orchestration.report.formatting import band, day, rate, timestamp, yen
from orchestration.report.labels import LANGUAGES, Labels

# Every chart div has drawn its SVG.
CHARTS_DRAWN = (
    "document.querySelectorAll('.plotly-graph-div').length > 0 && "
    "document.querySelectorAll('.plotly-graph-div .main-svg').length >= "
    "document.querySelectorAll('.plotly-graph-div').length"
)
FIGURES = (
    "Array.from(document.querySelectorAll('[data-kpi][data-quality]'))"
    ".map(e => [e.dataset.kpi, e.dataset.quality, e.textContent.trim()])"
)
QUALITY_COLOUR = (0x1F, 0x6F, 0x8B)  # charts.QUALITY_COLOUR: the quality-lead bars and funnel
SECTIONS = ("overview", "trends", "pacing", "benchmarks", "health")


def _reporting_zone() -> ZoneInfo:
    project = yaml.safe_load((config.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return ZoneInfo(project["vars"]["reporting_time_zone"])


@pytest.fixture(scope="module")
def materialised(built_warehouse, published_copy: Path) -> dict[AssetKey, dict]:
    """The report assets' metadata as the session's refresh recorded them."""
    with DagsterInstance.from_config(str(built_warehouse.dagster_home)) as instance:
        return {
            key: instance.get_latest_materialization_event(key).asset_materialization.metadata
            for key in (REPORT_KEY, DOCS_KEY)
        }


@pytest.fixture(scope="module")
def reports(published_copy: Path) -> dict[str, Path]:
    """The pages the refresh published, by the stable names people open."""
    return {lang: published_copy / FILE_NAMES[lang] for lang in LANGUAGES}


@pytest.fixture(scope="module")
def mart(published_copy: Path) -> dict[str, tuple[int, int, float]]:
    """leads, won, won_amount of the latest complete fiscal year's cohort, per lead quality,
    read straight from the published mart."""
    with duckdb.connect(str(published_copy / DATABASE), read_only=True) as con:
        rows = con.execute(
            """
            select lead_quality, leads, won, won_amount
            from kpi.kpi_funnel_overview
            where basis = 'cohort' and period_grain = 'fiscal_year' and period_start = (
                select max(period_start) from kpi.kpi_funnel_overview
                where basis = 'cohort' and period_grain = 'fiscal_year' and is_period_complete
            )
            """
        ).fetchall()
    assert len(rows) == 3, "the demo data should hold one complete fiscal year"
    return {quality: (leads, won, amount) for quality, leads, won, amount in rows}


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with Chromium(tmp_path_factory.mktemp("chromium-profile")) as chromium:
        yield chromium


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_opens_offline_without_errors_and_shows_the_marts_figures(
    lang: str,
    reports: dict[str, Path],
    mart,
    browser: Chromium,
    published_copy: Path,
) -> None:
    visit = browser.open(reports[lang].as_uri(), ready=CHARTS_DRAWN)

    assert visit.console_errors == []
    assert [url for url in visit.requests if not url.startswith(("file:", "data:"))] == [], "the page must work offline"
    shown = {(kpi, quality): text for kpi, quality, text in browser.evaluate(FIGURES)}
    for quality, (leads, won, _amount) in mart.items():
        assert shown[("leads", quality)] == f"{leads:,}"
        assert shown[("won", quality)] == f"{won:,}"
    assert shown[("won_amount", "all")] == f"¥{mart['all'][2]:,.0f}"

    manifest = json.loads((published_copy / MANIFEST).read_text(encoding="utf-8"))
    assert browser.evaluate("document.querySelector('meta[name=fukan-build-id]').content") == manifest["build_id"]
    assert browser.evaluate("document.documentElement.lang") == lang
    other = next(code for code in LANGUAGES if code != lang)
    assert browser.evaluate("document.getElementById('language-switch').getAttribute('href')") == FILE_NAMES[other]
    with duckdb.connect(str(published_copy / DATABASE), read_only=True) as con:
        as_of = con.execute(
            "select max(period_start) from kpi.kpi_funnel_overview where period_grain = 'day'"
        ).fetchone()[0]
    assert browser.evaluate("document.getElementById('as-of-date').textContent").startswith(as_of.isoformat())
    zone = _reporting_zone()
    built_at = datetime.fromisoformat(manifest["built_at"]).astimezone(zone)
    assert browser.evaluate("document.getElementById('built-at').textContent") == (
        f"{built_at:%Y-%m-%d %H:%M %Z} ({manifest['build_id']})"
    )
    assert zone.key != "Asia/Tokyo" or f"{built_at:%Z}" == "JST"
    font = browser.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith('"Noto Sans CJK JP"') and font.endswith("sans-serif"), font


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_screenshot_is_not_blank_and_draws_japanese_in_a_japanese_font(
    lang: str,
    reports: dict[str, Path],
    browser: Chromium,
    capsys: pytest.CaptureFixture[str],
) -> None:
    browser.open(reports[lang].as_uri(), ready=CHARTS_DRAWN)
    # Beside the published copy in the test's own warehouse (a temporary folder), for a reviewer.
    shot = reports[lang].parent / f"report.{lang}.png"
    png = browser.screenshot(shot)
    with capsys.disabled():
        print(f"\nscreenshot of the {lang} report: {shot}")

    # The Japanese page's title and the English page's language link are Japanese text.
    fonts = browser.platform_fonts("h1" if lang == "ja" else "#language-switch")
    assert fonts.get("Noto Sans CJK JP", 0) >= 2, f"Japanese drawn with {fonts}: install fonts-noto-cjk"

    rgb = decode_png(png)[:, :, :3].reshape(-1, 3).astype(np.uint32)
    pixels = rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]
    colours, counts = np.unique(pixels, return_counts=True)
    assert len(colours) > 200, f"only {len(colours)} colours: the page looks blank"
    assert counts.max() / len(pixels) < 0.8, "one colour covers most of the page"
    red, green, blue = QUALITY_COLOUR
    assert (pixels == (red << 16 | green << 8 | blue)).sum() > 1000, "the quality-lead figures were not drawn"


def test_dbt_docs_are_published_next_to_the_marts(materialised, published_copy: Path) -> None:
    docs = published_copy / DBT_DOCS
    manifest = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((docs / "catalog.json").read_text(encoding="utf-8"))
    assert "model.fukan.kpi_funnel_overview" in manifest["nodes"]
    assert "model.fukan.kpi_funnel_overview" in catalog["nodes"]
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "kpi_funnel_overview" in index and "MANIFEST.JSON INLINE DATA" not in index  # opens offline
    build_id = json.loads((published_copy / MANIFEST).read_text(encoding="utf-8"))["build_id"]
    assert materialised[REPORT_KEY]["build_id"].value == materialised[DOCS_KEY]["build_id"].value == build_id
    # Generated by the session's refresh, the first publish into its folder.
    assert (docs / FINGERPRINT_FILE).read_text(encoding="utf-8") == definitions_fingerprint()
    assert materialised[DOCS_KEY]["regenerated"].value is True


def test_report_command_writes_one_language_or_explains_what_is_missing(
    published_copy: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert report_command(argparse.Namespace(lang="en", published=str(published_copy))) == 0
    assert f"Wrote {published_copy / FILE_NAMES['en']}" in capsys.readouterr().out
    page = (published_copy / FILE_NAMES["en"]).read_text(encoding="utf-8")
    build_id = json.loads((published_copy / MANIFEST).read_text(encoding="utf-8"))["build_id"]
    assert f'<meta name="fukan-build-id" content="{build_id}">' in page  # rewritten in the live version
    assert report_command(argparse.Namespace(lang=None, published=str(tmp_path))) == 1
    assert "No published copy" in capsys.readouterr().err


def test_figures_read_the_same_in_both_languages() -> None:
    assert rate(0.12345) == "12.3%"
    assert rate(None) == rate(float("nan")) == rate(pd.NA) == "—"  # a rate with a zero denominator
    assert yen(313660000.0) == "¥313,660,000"
    assert band(0.15, None, "fraction") == "≥ 15.0%"
    assert band(None, 90.0, "days") == "≤ 90.0"
    assert band(None, pd.NA, "days") == day(pd.NaT) == timestamp(None, ZoneInfo("UTC")) == "—"
    assert timestamp("2026-11-25T21:15:00+00:00", ZoneInfo("Asia/Tokyo")) == "2026-11-26 06:15 JST"
    assert timestamp(datetime(2026, 11, 25, 21, 15), ZoneInfo("Asia/Tokyo")) == "2026-11-26 06:15 JST"  # naive: UTC
    with pytest.raises(ValueError, match="Unknown report language"):
        Labels("fr")


def _nullable_kpi_columns(warehouse: Path) -> list[tuple[str, str]]:
    """(table, column) of every KPI mart column its contract lets be null: the working
    warehouse enforces the contracts, the published copy does not repeat them."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select table_name, column_name from information_schema.columns "
            "where table_schema = 'kpi' and is_nullable = 'YES' order by 1, 2"
        ).fetchall()


# Legal states of the marts, as statements on a copy of the published file.
MART_STATES = {
    # Nulls beside values in one column: pandas then holds NA, which has no truth value.
    "half_of_every_nullable_column_null": lambda nullable, tables: [
        f'update kpi."{table}" set "{column}" = null where rowid % 2 = 0' for table, column in nullable
    ],
    "every_nullable_column_null": lambda nullable, tables: [
        f'update kpi."{table}" set "{column}" = null' for table, column in nullable
    ],
    "no_rows": lambda nullable, tables: [f'delete from kpi."{table}"' for table in tables],
}


def _sections(page: str) -> dict[str, str]:
    """The visible text of each section: scripts (plotly's data) and tags removed."""
    text = re.sub(r"<script\b.*?</script>", "", page, flags=re.DOTALL)
    return {
        name: re.sub(r"<[^>]+>", " ", body)
        for name, body in re.findall(r'<section id="(\w+)">(.*?)</section>', text, flags=re.DOTALL)
    }


@pytest.mark.parametrize("state", MART_STATES)
def test_the_report_renders_every_state_the_marts_may_hold(
    state: str,
    built_warehouse,
    published_copy: Path,
    tmp_path: Path,
) -> None:
    shutil.copyfile(published_copy / DATABASE, tmp_path / DATABASE)
    nullable = _nullable_kpi_columns(built_warehouse.warehouse)
    assert {table for table, _ in nullable} >= {"kpi_benchmarks", "kpi_funnel_health", "kpi_target_pacing"}
    with duckdb.connect(str(tmp_path / DATABASE)) as con:
        tables = [
            row[0] for row in con.execute("select table_name from duckdb_tables() where schema_name = 'kpi'").fetchall()
        ]
        for statement in MART_STATES[state](nullable, tables):
            con.execute(statement)

    data = read_published(tmp_path)
    for lang in LANGUAGES:
        sections = _sections(render(data, lang))
        assert set(sections) == set(SECTIONS)
        for name, text in sections.items():
            assert not re.search(r"\b(nan|NaN|None|NaT|NA)\b", text), f"{state}, {lang}: a raw null in #{name}"
            no_data = Labels(lang)["no_data"] in text
            assert no_data is (state == "no_rows"), f"{state}, {lang}: #{name} {'says' if no_data else 'lacks'} no data"
