"""The KPI overview report as a person sees it: built from the published copy, opened in
headless Chromium (Debian's package, /usr/bin/chromium), with no console error and no
network request, showing the published mart's figures, and drawing a non-blank page."""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import duckdb
import numpy as np
import pytest
from browser import CHROMIUM, Chromium
from png_pixels import decode_png
from report_fixtures import published_copy  # noqa: F401  (fixture)

from dagster import AssetKey, asset, materialize

from orchestration import config
from orchestration.build_state import definitions_fingerprint
from orchestration.assets.report import build_report_assets
from orchestration.publish.layout import DATABASE, MANIFEST
from orchestration.report.build import FILE_NAMES, report_command
from orchestration.report.dbt_docs import DOCS_DIR, FINGERPRINT_FILE
from orchestration.resources import WarehouseResource
from orchestration.report.formatting import band, rate, yen
from orchestration.report.labels import LANGUAGES, Labels, step_labels

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


@pytest.fixture(scope="module")
def materialised(published_copy: Path) -> dict[AssetKey, dict]:  # noqa: F811
    """The report assets run by Dagster downstream of a publish; their metadata by asset."""
    published = AssetKey("published_warehouse")  # a stand-in for the publish asset

    @asset(key=published)
    def publish_step() -> None: ...

    assets = build_report_assets(published)
    result = materialize(
        [publish_step, *assets],
        selection=[key for definition in assets for key in definition.keys],
        resources={"warehouse": WarehouseResource(warehouse_path=str(published_copy.parent / "fukan.duckdb"))},
    )
    assert result.success
    return {
        event.asset_key: event.step_materialization_data.materialization.metadata
        for event in result.get_asset_materialization_events()
    }


@pytest.fixture(scope="module")
def reports(materialised, published_copy: Path) -> dict[str, Path]:  # noqa: F811
    return {lang: published_copy / FILE_NAMES[lang] for lang in LANGUAGES}


@pytest.fixture(scope="module")
def mart(published_copy: Path) -> dict[str, tuple[int, int, float]]:  # noqa: F811
    """leads, won, won_amount of the latest complete fiscal year's cohort, per lead quality,
    read straight from the published mart."""
    with duckdb.connect(str(published_copy / DATABASE), read_only=True) as con:
        rows = con.execute(
            """
            select lead_quality, leads, won, won_amount
            from kpi.kpi_funnel_overview
            where basis = 'cohort' and period_grain = 'fiscal_year' and period_start = (
                select max(period_start) from kpi.kpi_funnel_overview
                where basis = 'cohort' and period_grain = 'fiscal_year' and is_complete_period
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
    lang: str, reports: dict[str, Path], mart, browser: Chromium, published_copy: Path,  # noqa: F811
) -> None:
    visit = browser.open(reports[lang].as_uri(), ready=CHARTS_DRAWN)

    assert visit.console_errors == []
    assert [url for url in visit.requests if not url.startswith(("file:", "data:"))] == [], "the page must work offline"
    shown = {(kpi, quality): text for kpi, quality, text in browser.evaluate(FIGURES)}
    for quality, (leads, won, amount) in mart.items():
        assert shown[("leads", quality)] == f"{leads:,}"
        assert shown[("won", quality)] == f"{won:,}"
    assert shown[("won_amount", "all")] == f"¥{mart['all'][2]:,.0f}"

    manifest = json.loads((published_copy / MANIFEST).read_text(encoding="utf-8"))
    assert browser.evaluate("document.querySelector('meta[name=fukan-build-id]').content") == manifest["build_id"]
    assert browser.evaluate("document.documentElement.lang") == lang
    other = next(code for code in LANGUAGES if code != lang)
    assert browser.evaluate("document.getElementById('language-switch').getAttribute('href')") == FILE_NAMES[other]
    with duckdb.connect(str(published_copy / DATABASE), read_only=True) as con:
        as_of = con.execute("select max(period_start) from kpi.kpi_funnel_overview where period_grain = 'day'").fetchone()[0]
    assert browser.evaluate("document.getElementById('as-of-date').textContent").startswith(as_of.isoformat())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_report_screenshot_is_not_blank(lang: str, reports: dict[str, Path], browser: Chromium) -> None:
    browser.open(reports[lang].as_uri(), ready=CHARTS_DRAWN)
    png = browser.screenshot(reports[lang].with_suffix(".png"))

    rgb = decode_png(png)[:, :, :3].reshape(-1, 3).astype(np.uint32)
    pixels = rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2]
    colours, counts = np.unique(pixels, return_counts=True)
    assert len(colours) > 200, f"only {len(colours)} colours: the page looks blank"
    assert counts.max() / len(pixels) < 0.8, "one colour covers most of the page"
    red, green, blue = QUALITY_COLOUR
    assert (pixels == (red << 16 | green << 8 | blue)).sum() > 1000, "the quality-lead figures were not drawn"


def test_dbt_docs_are_published_next_to_the_marts(materialised, published_copy: Path) -> None:  # noqa: F811
    docs = published_copy / DOCS_DIR
    manifest = json.loads((docs / "manifest.json").read_text(encoding="utf-8"))
    catalog = json.loads((docs / "catalog.json").read_text(encoding="utf-8"))
    assert "model.fukan.kpi_funnel_overview" in manifest["nodes"]
    assert "model.fukan.kpi_funnel_overview" in catalog["nodes"]
    index = (docs / "index.html").read_text(encoding="utf-8")
    assert "kpi_funnel_overview" in index and "MANIFEST.JSON INLINE DATA" not in index  # opens offline
    assert materialised[AssetKey("kpi_overview_report")]["build_id"].value == json.loads(
        (published_copy / MANIFEST).read_text(encoding="utf-8"))["build_id"]
    # Generated by the session's refresh; the same definitions again keep them as they are.
    assert (docs / FINGERPRINT_FILE).read_text(encoding="utf-8") == definitions_fingerprint()
    assert materialised[AssetKey("kpi_definitions_docs")]["regenerated"].value is False


def test_report_command_writes_one_language_or_explains_what_is_missing(
    published_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],  # noqa: F811
) -> None:
    assert report_command(argparse.Namespace(lang="en", published=str(published_copy))) == 0
    assert f"Wrote {published_copy / FILE_NAMES['en']}" in capsys.readouterr().out
    assert report_command(argparse.Namespace(lang=None, published=str(tmp_path))) == 1
    assert "No published copy" in capsys.readouterr().err


def test_step_labels_follow_the_funnel_steps_seed() -> None:
    with (config.SEEDS_DIR / "funnel_steps.csv").open(encoding="utf-8") as handle:
        seed = list(csv.DictReader(handle))
    for lang in LANGUAGES:
        assert step_labels(lang) == {row["funnel_step"]: row[f"step_label_{lang}"] for row in seed}


def test_figures_read_the_same_in_both_languages() -> None:
    assert rate(0.12345) == "12.3%"
    assert rate(None) == rate(float("nan")) == "—"  # a rate with a zero denominator
    assert yen(313660000.0) == "¥313,660,000"
    assert band(0.15, None, "fraction") == "≥ 15.0%"
    assert band(None, 90.0, "days") == "≤ 90.0"
    with pytest.raises(ValueError, match="Unknown report language"):
        Labels("fr")
