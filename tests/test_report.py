"""The KPI overview report as a person sees it: built from the published copy, opened in
headless Chromium (Debian's package, /usr/bin/chromium, with fonts-noto-cjk), with no
console error and no network request, showing the published mart's figures in Japanese
type, in the articles' words and the reporting time zone, and drawing a non-blank page;
and rendered from every state the marts may legally hold (nulls in any nullable column,
no rows at all, figures not judged yet, no projection yet, a copy without a section's
columns)."""

from __future__ import annotations

import argparse
import json
import re
import shutil
from datetime import date, datetime
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
from report_fixtures import SECTIONS, page_sections, sections_without_rows

from orchestration import config
from orchestration.assets.report import DOCS_KEY, REPORT_KEY
from orchestration.build_state import definitions_fingerprint
from orchestration.publish.layout import DATABASE, DBT_DOCS, MANIFEST
from orchestration.report import inside_sales, pipeline
from orchestration.report.build import FILE_NAMES, render, report_command
from orchestration.report.data import read_published
from orchestration.report.dbt_docs import FINGERPRINT_FILE
from orchestration.report.formatting import Periods, band, count, day, number, rate, timestamp, yen
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
# The x-axis tick labels of the monthly charts.
MONTH_TICKS = "Array.from(document.querySelectorAll('#chart-leads .xtick text')).map(e => e.textContent)"
MONTH_TICK = {"ja": r"\d{4}年\d{1,2}月", "en": r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4}"}


def _project_var(name: str):
    project = yaml.safe_load((config.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    return project["vars"][name]


def _reporting_zone() -> ZoneInfo:
    return ZoneInfo(_project_var("reporting_time_zone"))


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
    ticks = browser.evaluate(MONTH_TICKS)
    assert ticks and all(re.fullmatch(MONTH_TICK[lang], tick) for tick in ticks), ticks  # 2026年9月, not Sep 2026


def test_the_japanese_page_speaks_the_articles_words(reports: dict[str, Path], published_copy: Path) -> None:
    """質リード (never 良質リード), months as 2026年9月, fiscal quarters as 2026年度 3Q named by the
    project's fiscal year start, times in JST."""
    page = reports["ja"].read_text(encoding="utf-8")
    sections = page_sections(page)
    assert "質リード" in sections["overview"]
    for old in ("良質", "アポイント", "商談化", "商談数"):
        assert old not in page, old
    with duckdb.connect(str(published_copy / DATABASE), read_only=True) as con:
        benchmark_month = con.execute("select max(period_start) from kpi.kpi_benchmarks where is_period_complete")
        (month,) = benchmark_month.fetchone()
        quarters = con.execute(
            "select distinct period_start from kpi.kpi_target_pacing "
            "where target_level = 'department' and period_grain = 'fiscal_quarter' and is_as_of_date"
        ).fetchall()
    assert f"{month.year}年{month.month}月のチーム別実績" in sections["benchmarks"]
    start_month = _project_var("fiscal_year_start_month")
    assert quarters, "the demo targets hold a quarterly department target running on the as-of date"
    for (start,) in quarters:
        months = (start.month - start_month) % 12
        fiscal_year = start.year - (start.month < start_month)
        quarter = f"{fiscal_year}年度 {months // 3 + 1}Q"
        assert re.search(rf"\b{re.escape(quarter)}\b", sections["pacing"]), quarter
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} JST", page) and not re.search(r"\d{2}:\d{2} UTC", page)


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


def test_months_and_fiscal_periods_are_named_in_the_pages_language() -> None:
    april = Periods(Labels("ja"), fiscal_year_start_month=4)
    assert april.month(date(2026, 9, 1)) == "2026年9月"
    assert april.period(date(2026, 10, 1), "fiscal_quarter") == "2026年度 3Q"
    assert april.period(date(2027, 1, 1), "fiscal_quarter") == "2026年度 4Q"  # January-March close the 年度
    assert april.period(date(2026, 4, 1), "fiscal_half") == "2026年度 上期"
    assert april.period(date(2026, 10, 1), "fiscal_half") == "2026年度 下期"
    assert april.period(date(2027, 3, 1), "fiscal_year") == "2026年度"
    assert april.period(date(2026, 9, 28), "week") == "2026-09-28の週"
    assert april.period(None, "month") == "—"
    # Another fiscal year start (a var of the project): the same dates, other periods.
    january = Periods(Labels("ja"), fiscal_year_start_month=1)
    assert january.period(date(2026, 10, 1), "fiscal_quarter") == "2026年度 4Q"
    assert january.period(date(2026, 4, 1), "fiscal_half") == "2026年度 上期"
    english = Periods(Labels("en"), fiscal_year_start_month=4)
    assert english.month(date(2026, 9, 1)) == "Sep 2026"
    assert english.period(date(2026, 10, 1), "fiscal_quarter") == "FY2026 Q3"
    assert english.period(date(2026, 10, 1), "fiscal_half") == "FY2026 H2"


def test_the_report_names_fiscal_periods_by_the_projects_fiscal_year_start(
    published_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fiscal year start is read from the dbt project, not assumed to be April."""
    data = read_published(published_copy)
    running = data.pacing[(data.pacing.period_grain == "fiscal_quarter") & data.pacing.is_running]
    assert not running.empty, "the demo targets hold a running quarterly department target"
    start = running.period_start.iloc[0]
    project = yaml.safe_load((config.DBT_PROJECT_DIR / "dbt_project.yml").read_text(encoding="utf-8"))
    for start_month in (1, 4, 7, 10):
        project["vars"]["fiscal_year_start_month"] = start_month
        (tmp_path / "dbt_project.yml").write_text(yaml.safe_dump(project, allow_unicode=True), encoding="utf-8")
        monkeypatch.setattr(config, "DBT_PROJECT_DIR", tmp_path)
        quarter = Periods(Labels("ja"), start_month).period(start, "fiscal_quarter")
        assert quarter.startswith(f"{start.year - (start.month < start_month)}年度 ")
        assert quarter in page_sections(render(data, "ja"))["pacing"], start_month


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
    empty = sections_without_rows(tmp_path / DATABASE)
    assert (empty == set(SECTIONS)) is (state == "no_rows")
    for lang in LANGUAGES:
        sections = page_sections(render(data, lang))
        assert tuple(sections) == SECTIONS
        for name, text in sections.items():
            assert not re.search(r"\b(nan|NaN|None|NaT|NA)\b", text), f"{state}, {lang}: a raw null in #{name}"
            no_data = Labels(lang)["no_data"] in text
            assert no_data is (name in empty), f"{state}, {lang}: #{name} {'says' if no_data else 'lacks'} no data"


def _mutated_copy(published_copy: Path, folder: Path, statements: list[str]) -> Path:
    """A copy of the published file with these statements applied."""
    shutil.copyfile(published_copy / DATABASE, folder / DATABASE)
    with duckdb.connect(str(folder / DATABASE)) as con:
        for statement in statements:
            con.execute(statement)
    return folder


# Revised marts' states: figures not judged yet (immature, with the reason), projections
# withheld early in the running period and absent on closed periods' earlier days.
NOT_JUDGED_YET = [
    "alter table kpi.kpi_benchmarks add column if not exists immature_reason varchar",
    "update kpi.kpi_benchmarks set status = 'immature', is_unfavourable = false, immature_reason = case kpi "
    "when 'contact_rate' then 'window_open' when 'appointment_rate' then 'period_not_complete' "
    "else 'denominator_below_minimum' end",
    "alter table kpi.kpi_funnel_health add column if not exists immature_reason varchar",
    "update kpi.kpi_funnel_health set immature_reason = 'period_not_complete', is_volume_up_quality_down = false, "
    "is_handoff_jump_conversion_drop = false, is_handoffs_up_pipeline_down = false, has_warning = false "
    "where week_start = (select max(week_start) from kpi.kpi_funnel_health)",
    "alter table kpi.kpi_funnel_health add column if not exists handoff_follow_immature_reason varchar",
    "update kpi.kpi_funnel_health set handoff_follow_immature_reason = 'window_open', has_warning = false, "
    "is_handoff_jump_conversion_drop = false, is_handoffs_up_pipeline_down = false "
    "where week_start = (select max(week_start) from kpi.kpi_funnel_health) - interval 7 day",
    "update kpi.kpi_target_pacing set projected_value = null, projected_attainment = null, business_days_elapsed = 1",
]


def test_the_report_shows_figures_not_judged_yet_and_why_a_projection_is_missing(
    published_copy: Path, tmp_path: Path
) -> None:
    data = read_published(_mutated_copy(published_copy, tmp_path, NOT_JUDGED_YET))
    assert not data.benchmarks.empty and not data.pacing.empty and data.pacing.is_running.any()
    minimum, share = _project_var("min_denominator"), f"{_project_var('min_elapsed_share'):.0%}"
    expected = {
        "ja": (
            ("判定保留（判定期間が未経過）", "判定保留（期間途中）", f"判定保留（母数が{minimum}件未満）"),
            ("下回る", "範囲内", "上回る"),
            (f"{share}経過前（1/", "確定"),
            "フォロー率：判定保留（判定期間が未経過）",
        ),
        "en": (
            ("not yet judged (window still open)", "not yet judged (period not complete)", f"fewer than {minimum}"),
            ("below", "within", "above"),
            (f"before {share} (1 of ", "final"),
            "follow rate: not yet judged (window still open)",
        ),
    }
    for lang, (not_judged, judgements, no_projection, family) in expected.items():
        page = render(data, lang)
        sections = page_sections(page)
        for text in not_judged:
            assert text in sections["benchmarks"], (lang, text)
        for word in judgements:  # an immature figure is never shown below, within or above its band
            assert f"({word})" not in sections["benchmarks"], (lang, word)
        assert 'data-status="immature"' in page and 'data-status="below"' not in page
        assert not_judged[1] in sections["health"] and family in sections["health"], lang
        for text in no_projection:
            assert text in sections["pacing"], (lang, text)


# A copy published before the revised columns existed, and one that has them.
WITHOUT_NEW_COLUMNS = [
    "alter table kpi.kpi_inside_sales_teams drop column if exists neglected_leads",
    "alter table kpi.kpi_field_sales drop column if exists follow_rate",
]
WITH_NEW_COLUMNS = [
    *(
        f"alter table kpi.kpi_inside_sales_teams add column if not exists {column} {kind}"
        for column, kind in (
            ("open_leads", "bigint"),
            ("neglected_leads", "bigint"),
            ("neglected_lead_share", "double"),
            ("personal_touches", "bigint"),
            ("touches_per_open_lead", "double"),
        )
    ),
    "update kpi.kpi_inside_sales_teams set open_leads = 200, neglected_leads = 14, neglected_lead_share = 0.07, "
    "personal_touches = 500, touches_per_open_lead = 2.5",
    *(
        f"alter table kpi.kpi_field_sales add column if not exists {column} {kind}"
        for column, kind in (
            ("handoffs", "bigint"),
            ("followed_handoffs", "bigint"),
            ("follow_rate", "double"),
            ("median_business_days_to_follow_up", "double"),
        )
    ),
    "update kpi.kpi_field_sales set handoffs = 10, followed_handoffs = 8, median_business_days_to_follow_up = 2, "
    "follow_rate = case lead_quality when 'quality' then 0.9 when 'general' then 0.6 else 0.8 end",
]


def test_the_neglect_and_follow_up_sections_show_the_revised_columns_or_say_no_data(
    published_copy: Path, tmp_path: Path
) -> None:
    (tmp_path / "without").mkdir()
    (tmp_path / "with").mkdir()
    without = read_published(_mutated_copy(published_copy, tmp_path / "without", WITHOUT_NEW_COLUMNS))
    with_columns = read_published(_mutated_copy(published_copy, tmp_path / "with", WITH_NEW_COLUMNS))
    for lang in LANGUAGES:
        t = Labels(lang)
        sections = page_sections(render(without, lang))
        assert t["no_data"] in sections["neglect"] and t["no_data"] in sections["follow_up"], lang
        sections = page_sections(render(with_columns, lang))
        assert t["no_data"] not in sections["neglect"] + sections["follow_up"], lang
        neglect = re.sub(r"\s+", " ", sections["neglect"])
        assert "200 14 7.0% 500 2.5" in neglect, neglect
        follow_up = re.sub(r"\s+", " ", sections["follow_up"])
        assert "10 8 80.0% 90.0% 60.0% 2.0" in follow_up, follow_up


def _company_quarters(published_copy: Path) -> pd.DataFrame:
    """The latest complete and the running fiscal quarter, company-wide, from the waterfall mart."""
    with duckdb.connect(str(published_copy / DATABASE), read_only=True) as con:
        return con.execute(
            """
            with quarters as (
                select period_start, is_period_complete, sum(start_amount) as start_amount,
                    sum(end_amount) as end_amount, sum(won_amount) as won_amount
                from kpi.kpi_pipeline_waterfall
                where period_grain = 'fiscal_quarter'
                group by period_start, is_period_complete
            )
            select * from quarters
            where not is_period_complete
                or period_start = (select max(period_start) from quarters where is_period_complete)
            order by period_start
            """
        ).df()


def test_the_pipeline_sections_show_the_quarters_waterfall_and_forecast(published_copy: Path) -> None:
    quarters = _company_quarters(published_copy)
    assert quarters.is_period_complete.tolist() == [True, False], "the demo has a complete and a running quarter"
    with duckdb.connect(str(published_copy / DATABASE), read_only=True) as con:
        forecasts = con.execute(
            "select period_start, forecast_point, forecast_amount, target_amount from kpi.kpi_pipeline_forecast "
            "where period_grain = 'fiscal_quarter' and period_start >= ?",
            [quarters.period_start.min()],
        ).df()
    assert len(forecasts) == 3 and forecasts.target_amount.notna().all()  # complete: at start; running: start, as of
    data = read_published(published_copy)
    for lang in LANGUAGES:
        t, periods = Labels(lang), Periods(Labels(lang), _project_var("fiscal_year_start_month"))
        sections = page_sections(render(data, lang))
        waterfall, forecast = sections["pipeline_waterfall"], sections["pipeline_forecast"]
        for row in quarters.itertuples():
            assert periods.period(row.period_start, "fiscal_quarter") in waterfall, (lang, row.period_start)
            for amount in (row.start_amount, row.end_amount, row.won_amount):
                assert yen(amount) in waterfall, (lang, row.period_start, amount)
        assert f"({t['period_running']})" in waterfall and t["pipeline_reopened"] in waterfall
        for row in forecasts.itertuples():
            assert yen(row.forecast_amount) in forecast and yen(row.target_amount) in forecast, (lang, row)
        assert t["forecast_as_of"] in forecast and t["forecast_period_start"] in forecast


def test_the_waterfall_chart_starts_moves_and_ends_where_the_mart_does(published_copy: Path) -> None:
    data = read_published(published_copy)
    periods = Periods(Labels("ja"), _project_var("fiscal_year_start_month"))
    assert len(data.pipeline_waterfall) == 2
    for row in data.pipeline_waterfall.to_dict("records"):
        (bars,) = pipeline.waterfall(row, periods).data
        assert list(bars.measure) == ["absolute", *["relative"] * 7, "absolute"]
        drawn = [value * pipeline.MILLION for value in bars.y]  # the chart draws millions of yen
        assert drawn[0] == pytest.approx(row["start_amount"]) and drawn[-1] == pytest.approx(row["end_amount"])
        assert sum(drawn[:-1]) == pytest.approx(drawn[-1], abs=0.5), row["period_start"]  # the identity, drawn


# A copy with no waterfall rows (no pipeline moved), and one published before the pipeline marts existed.
PIPELINE_STATES = {
    "no_waterfall_rows": (["delete from kpi.kpi_pipeline_waterfall"], {"pipeline_waterfall"}),
    "without_the_marts": (
        ["drop table kpi.kpi_pipeline_waterfall", "drop table kpi.kpi_pipeline_forecast"],
        {"pipeline_waterfall", "pipeline_forecast"},
    ),
}


@pytest.mark.parametrize("state", PIPELINE_STATES)
def test_the_pipeline_sections_say_no_data_without_rows_or_marts(
    state: str, published_copy: Path, tmp_path: Path
) -> None:
    statements, without_data = PIPELINE_STATES[state]
    data = read_published(_mutated_copy(published_copy, tmp_path, statements))
    for lang in LANGUAGES:
        sections = page_sections(render(data, lang))
        for name in ("pipeline_waterfall", "pipeline_forecast"):
            assert (Labels(lang)["no_data"] in sections[name]) is (name in without_data), (state, lang, name)


TARGETS_TODAY_STATES = {
    "rows": [],
    "no_rows": ["delete from kpi.kpi_target_daily"],
    "without_the_mart": ["drop table kpi.kpi_target_daily"],
}


@pytest.mark.parametrize("state", TARGETS_TODAY_STATES)
def test_targets_today_shows_each_teams_pace_or_says_no_data(state: str, published_copy: Path, tmp_path: Path) -> None:
    folder = _mutated_copy(published_copy, tmp_path, TARGETS_TODAY_STATES[state])
    teams = []
    if state == "rows":
        with duckdb.connect(str(folder / DATABASE), read_only=True) as con:
            teams = con.execute(
                "select team_id, team_name, period_grain, target_source, day_target, required_daily_pace"
                " from kpi.kpi_target_daily where is_as_of_date and target_level = 'team' and kpi = 'appointments'"
            ).fetchall()
        assert teams, "the demo has team targets running on the as-of date"
        assert {source for *_, source, _, _ in teams} > {"seed"}, "the demo derives a team's quarter or half target"
    data = read_published(folder)
    for lang in LANGUAGES:
        page = render(data, lang)
        assert (Labels(lang)["no_data"] in page_sections(page)["targets_today"]) is (state != "rows"), (state, lang)
        for team_id, team_name, grain, source, day_target, pace in teams:
            row = re.search(
                rf'<tr[^>]*data-team="{team_id}" data-kpi="appointments" data-period-grain="{grain}">(.*?)</tr>',
                page,
                re.DOTALL,
            )
            cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td.*?</td>", row[1], re.DOTALL)]
            assert (cells[1], cells[4], cells[10]) == (team_name, f"{day_target:,.1f}", f"{pace:,.1f}"), (lang, cells)
            # A target the seed does not give says how it was derived.
            assert (Labels(lang).target_source(source) in cells[3]) is (source != "seed"), (lang, grain, cells[3])


def _table_rows(page: str, table: str) -> dict[tuple[str, ...], str]:
    """The rows of one of the page's tables, by the values of their data attributes."""
    (body,) = re.findall(rf'<table[^>]* data-table="{table}">(.*?)</table>', page, re.DOTALL)
    return {
        tuple(re.findall(r'data-[\w-]+="([^"]*)"', attributes)): row
        for attributes, row in re.findall(r"<tr ([^>]*)>(.*?)</tr>", body, re.DOTALL)
    }


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td.*?</td>", row, re.DOTALL)]


def _by_quality(row: str) -> dict[tuple[str, str], str]:
    """(column, lead quality) -> the text of each figure of a row with a quality split."""
    return {
        (column, quality): text.strip()
        for column, cell in re.findall(r'<td data-column="(\w+)">(.*?)</td>', row, re.DOTALL)
        for quality, text in re.findall(r'<span data-quality="(\w+)">(.*?)</span>', cell)
    }


def _latest_complete_month(con: duckdb.DuckDBPyConnection, mart: str, columns: str, where: str) -> pd.DataFrame:
    return con.execute(
        f"select period_start, {columns} from kpi.{mart} where period_grain = 'month' and {where} and period_start = "
        f"(select max(period_start) from kpi.{mart} where period_grain = 'month' and is_period_complete)"
    ).df()


ROLE_FIGURES = {
    "calls": count,
    "connected_calls": count,
    "contact_rate": rate,
    "appointments": count,
    "appointment_rate": rate,
    "opportunities": count,
    "opportunities_per_appointment": rate,
    "won": count,
    "won_per_opportunity": rate,
    "won_amount": yen,
}
BUCKET_FIGURES = {
    "leads": count,
    "leads_with_appointment": count,
    "lead_to_appointment_rate": rate,
    "leads_with_opportunity": count,
    "lead_to_opportunity_rate": rate,
}
# The per-team and per-rep speed-to-lead table, cell by cell after the team and rep names.
SPEED_FIGURES = (
    ("all", "leads", count),
    ("all", "attempted_leads", count),
    ("all", "median_business_minutes_to_first_attempt", lambda value: number(value, "minutes")),
    ("all", "connected_leads", count),
    ("all", "median_business_minutes_to_first_connect", lambda value: number(value, "minutes")),
    ("all", "leads_attempted_within_sla", count),
    ("all", "within_sla_share", rate),
    ("quality", "within_sla_share", rate),
    ("general", "within_sla_share", rate),
)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_role_view_and_speed_to_lead_show_the_marts_rows_of_the_latest_complete_month(
    lang: str, published_copy: Path
) -> None:
    with duckdb.connect(str(published_copy / DATABASE), read_only=True) as con:
        roles = _latest_complete_month(
            con,
            "kpi_inside_sales_roles",
            f"team_id, sales_role, lead_quality, {', '.join(ROLE_FIGURES)}",
            "rep_user_id = 'all' and lead_quality <> 'no_lead'",
        )
        speed = _latest_complete_month(
            con,
            "kpi_inside_sales_speed_to_lead",
            "team_id, rep_user_id, response_bucket, lead_quality, leads, attempted_leads, leads_attempted_within_sla, "
            "within_sla_share, median_business_minutes_to_first_attempt, connected_leads, "
            "median_business_minutes_to_first_connect, leads_with_appointment, lead_to_appointment_rate, "
            "leads_with_opportunity, lead_to_opportunity_rate",
            "true",
        )
    assert set(roles.sales_role) == {"nurture", "recycle", "upsell", "outbound", "all"}
    assert roles.won.sum() > 0 and speed.rep_user_id.nunique() > 2, "the demo month has wins and several reps"
    assert speed.median_business_minutes_to_first_attempt.notna().any()
    page = render(read_published(published_copy), lang)
    sections = page_sections(page)
    periods = Periods(Labels(lang), _project_var("fiscal_year_start_month"))
    for name, frame in (("inside_sales_roles", roles), ("speed_to_lead", speed)):
        assert periods.month(frame.period_start.iloc[0]) in sections[name], (lang, name)

    shown = {key: _by_quality(row) for key, row in _table_rows(page, "inside_sales_roles").items()}
    assert set(shown) == set(zip(roles.team_id, roles.sales_role, strict=True))
    for row in roles.itertuples():
        for column, format in ROLE_FIGURES.items():
            figure = shown[(row.team_id, row.sales_role)][(column, row.lead_quality)]
            assert figure == format(getattr(row, column)), (lang, row.team_id, row.sales_role, column)

    by_rep = speed[speed.response_bucket == "all"].set_index(["team_id", "rep_user_id", "lead_quality"])
    shown_reps = {key: _cells(row)[2:] for key, row in _table_rows(page, "speed_to_lead").items()}
    assert set(shown_reps) == {(team, rep) for team, rep, _ in by_rep.index}
    for (team, rep), cells in shown_reps.items():
        expected = [format(by_rep.loc[(team, rep, quality), column]) for quality, column, format in SPEED_FIGURES]
        assert cells == expected, (lang, team, rep)

    buckets = speed[speed.rep_user_id == "all"]
    shown_buckets = {key: _by_quality(row) for key, row in _table_rows(page, "speed_to_lead_buckets").items()}
    assert set(shown_buckets) == set(zip(buckets.team_id, buckets.response_bucket, strict=True))
    assert len({bucket for _, bucket in shown_buckets}) == 6
    for row in buckets.itertuples():
        for column, format in BUCKET_FIGURES.items():
            figure = shown_buckets[(row.team_id, row.response_bucket)][(column, row.lead_quality)]
            assert figure == format(getattr(row, column)), (lang, row.team_id, row.response_bucket, column)


# States of the two marts: no complete month yet, a copy published before the marts existed.
INSIDE_SALES_STATES = {
    "no_complete_month": [
        f"update kpi.{mart} set is_period_complete = false where period_grain = 'month'"
        for mart in ("kpi_inside_sales_roles", "kpi_inside_sales_speed_to_lead")
    ],
    "without_the_marts": ["drop table kpi.kpi_inside_sales_roles", "drop table kpi.kpi_inside_sales_speed_to_lead"],
}


@pytest.mark.parametrize("state", INSIDE_SALES_STATES)
def test_the_role_view_and_speed_to_lead_say_no_data_without_a_complete_month_or_marts(
    state: str, published_copy: Path, tmp_path: Path
) -> None:
    data = read_published(_mutated_copy(published_copy, tmp_path, INSIDE_SALES_STATES[state]))
    for lang in LANGUAGES:
        sections = page_sections(render(data, lang))
        for name in ("inside_sales_roles", "speed_to_lead"):
            assert Labels(lang)["no_data"] in sections[name], (state, lang, name)
        assert Labels(lang)["no_data"] not in sections["neglect"], (state, lang)  # the rest of the page is drawn


# A role with no rows, a team with no leads in the month (so no speed-to-lead rows), and
# null medians and rates (no lead attempted or connected; no denominator).
_MONTH = (
    "period_grain = 'month' and period_start = (select max(period_start) from kpi.kpi_inside_sales_roles "
    "where period_grain = 'month' and is_period_complete)"
)
GAPS = [
    f"delete from kpi.kpi_inside_sales_roles where sales_role = 'upsell' and {_MONTH}",
    f"delete from kpi.kpi_inside_sales_speed_to_lead where {_MONTH} and team_id = "
    "(select max(team_id) from kpi.kpi_inside_sales_roles where rep_user_id = 'all')",
    "update kpi.kpi_inside_sales_speed_to_lead set median_business_minutes_to_first_attempt = null, "
    "median_business_minutes_to_first_connect = null, within_sla_share = null, lead_to_appointment_rate = null",
    "update kpi.kpi_inside_sales_roles set contact_rate = null, won_per_opportunity = null",
]


def test_the_role_view_and_speed_to_lead_show_a_dash_for_a_missing_role_team_or_figure(
    published_copy: Path, tmp_path: Path
) -> None:
    folder = _mutated_copy(published_copy, tmp_path, GAPS)
    with duckdb.connect(str(folder / DATABASE), read_only=True) as con:
        teams = _latest_complete_month(con, "kpi_inside_sales_roles", "team_id", "rep_user_id = 'all'").team_id
        with_leads = _latest_complete_month(con, "kpi_inside_sales_speed_to_lead", "team_id", "true").team_id
    assert teams.nunique() > with_leads.nunique() > 0, "one demo team has no leads left, another has"
    data = read_published(folder)
    for lang in LANGUAGES:
        page = render(data, lang)
        roles = _table_rows(page, "inside_sales_roles")
        assert {team for team, _ in roles} == set(teams)
        for team in set(teams):
            upsell = _by_quality(roles[(team, "upsell")])
            assert Labels(lang).sales_role("upsell") in roles[(team, "upsell")]
            assert len(upsell) == 3 * len(ROLE_FIGURES) and set(upsell.values()) == {"—"}, (lang, team)
            assert _by_quality(roles[(team, "all")])[("contact_rate", "all")] == "—"
        speed = _table_rows(page, "speed_to_lead")
        assert {team for team, _ in speed} == set(with_leads), lang
        for row in speed.values():
            cells = _cells(row)[2:]
            assert (cells[2], cells[4], cells[6]) == ("—", "—", "—"), (lang, cells)
        buckets = _table_rows(page, "speed_to_lead_buckets")
        assert {_by_quality(row)[("lead_to_appointment_rate", "all")] for row in buckets.values()} == {"—"}


def test_the_speed_to_lead_chart_draws_each_teams_bucket_rates_of_the_mart(published_copy: Path) -> None:
    with duckdb.connect(str(published_copy / DATABASE), read_only=True) as con:
        rates = _latest_complete_month(
            con,
            "kpi_inside_sales_speed_to_lead",
            "team_name, response_bucket, lead_quality, lead_to_appointment_rate",
            "rep_user_id = 'all' and response_bucket <> 'all' and lead_quality <> 'all'",
        ).set_index(["team_name", "response_bucket", "lead_quality"])
    data = read_published(published_copy)
    for lang in LANGUAGES:
        t = Labels(lang)
        figure = inside_sales.conversion_by_bucket(data.speed_to_lead, t)
        titles = [annotation.text for annotation in figure.layout.annotations]  # one subplot per team
        assert sorted(titles) == sorted(set(rates.index.get_level_values("team_name")))
        assert len(figure.data) == 2 * len(titles)
        buckets = inside_sales.RESPONSE_BUCKETS[:-1]
        for bars in figure.data:
            team = titles[int(bars.xaxis[1:] or 1) - 1]
            quality = "quality" if bars.name == t["quality"] else "general"
            assert list(bars.x) == [t.response_bucket(bucket) for bucket in buckets]
            expected = rates.loc[[(team, bucket, quality) for bucket in buckets], "lead_to_appointment_rate"]
            drawn = [None if pd.isna(y) else y for y in bars.y]
            assert drawn == [None if pd.isna(y) else pytest.approx(y) for y in expected], (lang, team, quality)
