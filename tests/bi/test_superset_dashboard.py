"""The KPI dashboard in Apache Superset, built on the demo warehouse and looked at in a browser.

The dashboard is set up exactly as `make dashboard` does (bi/superset/instance.py in
Superset's own virtualenv, reading the session's published DuckDB file through
duckdb-engine on DuckDB 1.5), served as `make dashboard-dev` does, and opened in headless
Chromium as its local admin. The figures on the page are compared with the marts read
straight from the published file, and a screenshot is written for a reviewer.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pytest
from browser import Chromium, PageVisit
from png_pixels import decode_png

from orchestration import config
from orchestration.publish.layout import DATABASE
from orchestration.report.labels import Labels

pytestmark = pytest.mark.bi

SUPERSET_DIR = config.PROJECT_ROOT / "bi" / "superset"
INSTANCE = SUPERSET_DIR / "instance.py"
SCREENSHOT = config.PROJECT_ROOT / "bi" / "screenshots" / "superset-dashboard.png"
USAGE_PIXEL = "https://apachesuperset.gateway.scarf.sh/"  # Superset's page asks for it; our CSP blocks it
CHARTS = 9
# Every chart drawn: its number, its table rows or its canvas, and no spinner left.
CHARTS_DRAWN = f"""(() => {{
  const charts = document.querySelectorAll('[data-test=chart-grid-component]');
  return charts.length === {CHARTS}
    && document.querySelectorAll('[data-test=loading-indicator], .loading').length === 0
    && Array.from(charts).every(c => c.querySelector('.header-line, table tbody tr, canvas'));
}})()"""
CHART_CONTENTS = """Array.from(document.querySelectorAll('[data-test=chart-grid-component]')).map(c => ({
  name: c.getAttribute('data-test-chart-name'),
  viz: c.getAttribute('data-test-viz-type'),
  number: c.querySelector('.header-line')?.innerText ?? null,
  header: Array.from(c.querySelectorAll('table thead th')).map(th => th.innerText.trim()),
  rows: Array.from(c.querySelectorAll('table tbody tr')).map(tr => Array.from(tr.cells).map(td => td.innerText.trim())),
  errors: c.querySelectorAll('.ant-alert-error, [data-test=error-message]').length,
}))"""

T = Labels("ja")
sys.path.insert(0, str(SUPERSET_DIR))
from bundle import HEALTH_WEEKS, WORDS  # noqa: E402  (the dashboard's own titles)


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[list[str]]

    def column(self, label: str) -> list[str]:
        index = self.header.index(label)
        return [row[index] for row in self.rows]

    def row(self, **where: str) -> dict[str, str]:
        """The one row whose cells under these headers hold these texts."""
        found = [
            dict(zip(self.header, row, strict=True))
            for row in self.rows
            if all(row[self.header.index(label)] == text for label, text in where.items())
        ]
        assert len(found) == 1, f"{len(found)} rows with {where}"
        return found[0]


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def _rate(text: str) -> float:
    """A rate as shown with one decimal ("46.4%"), as a fraction."""
    assert text.endswith("%"), text
    return float(text.removesuffix("%")) / 100


def _assert_rate(text: str, value: float) -> None:
    assert abs(_rate(text) - value) <= 0.0005 + 1e-9, f"{text} shown for {value}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def published_database(built_warehouse) -> Path:
    assert built_warehouse.exit_code == 0
    return config.published_dir(built_warehouse.warehouse) / DATABASE


@pytest.fixture(scope="module")
def superset(published_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, admin password) of a Superset prepared and served as the make targets do."""
    home = tmp_path_factory.mktemp("superset_home")
    done = subprocess.run(
        [sys.executable, str(INSTANCE), "prepare", str(published_database), "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, f"{done.stdout}\n{done.stderr}"
    port = _free_port()
    log = (home / "serve.log").open("w", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, str(INSTANCE), "serve", "--home", str(home), "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, (home / "serve.log").read_text(encoding="utf-8")
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=5) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline, "Superset did not answer within 180 s"
                time.sleep(1)
        yield base, (home / "admin_password").read_text(encoding="utf-8").strip()
    finally:
        os.killpg(server.pid, signal.SIGTERM)  # the server's own process group (its reloader and workers)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: its workers outlived the grace period
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture(scope="module")
def dashboard(
    superset: tuple[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Chromium, PageVisit]]:
    """Chromium logged in as the local admin, on the dashboard with every chart drawn."""
    base, password = superset
    with Chromium(tmp_path_factory.mktemp("chromium_profile"), width=1400, height=1000, timeout=180) as browser:
        browser.open(f"{base}/login/", ready="document.querySelector('[data-test=login-button]') !== null")
        # The login form is React's: set the inputs through the native setter so React sees them.
        browser.evaluate(f"""(() => {{
          const set = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
          for (const [id, value] of [['username', 'admin'], ['password', {json.dumps(password)}]]) {{
            const input = document.getElementById(id);
            set.call(input, value);
            input.dispatchEvent(new Event('input', {{bubbles: true}}));
          }}
          document.querySelector('[data-test=login-button]').click();
        }})()""")
        deadline = time.monotonic() + 60
        while "/login" in browser.evaluate("location.pathname"):
            assert time.monotonic() < deadline, "the login did not succeed"
            time.sleep(0.2)
        visit = browser.open(f"{base}/superset/dashboard/fukan/", ready=CHARTS_DRAWN)
        yield browser, visit


@pytest.fixture(scope="module")
def charts(dashboard: tuple[Chromium, PageVisit]) -> dict[str, dict]:
    browser, _visit = dashboard
    return {chart["name"]: chart for chart in browser.evaluate(CHART_CONTENTS)}


def _table(chart: dict) -> Table:
    return Table(chart["header"], chart["rows"])


def test_dashboard_loads_every_chart_without_errors_or_outside_requests(
    dashboard: tuple[Chromium, PageVisit], charts: dict[str, dict]
) -> None:
    _browser, visit = dashboard
    assert len(charts) == CHARTS and all(chart["errors"] == 0 for chart in charts.values())
    outside = [url for url in visit.requests if not url.startswith(("http://127.0.0.1:", "data:", "blob:"))]
    assert all(url.startswith(USAGE_PIXEL) for url in outside), outside
    blocked = [error for error in visit.console_errors if USAGE_PIXEL in error and "has been blocked" in error]
    assert len(blocked) == len(outside), "a request outside the machine was not blocked"
    assert [error for error in visit.console_errors if error not in blocked] == []


def test_overview_figures_equal_the_latest_cohort_month_of_the_mart(
    published_database: Path, charts: dict[str, dict]
) -> None:
    with duckdb.connect(str(published_database), read_only=True) as con:
        mart = {
            quality: (leads, rate)
            for quality, leads, rate in con.execute("""
            select lead_quality, leads, quality_lead_rate_leads
            from kpi.kpi_funnel_overview
            where basis = 'cohort' and period_grain = 'month'
            qualify period_start = max(period_start) over ()""").fetchall()
        }
    leads, rate = mart["all"]
    assert _count(charts[WORDS["latest_cohort_leads"]]["number"]) == leads
    _assert_rate(charts[WORDS["latest_cohort_quality_rate"]]["number"], rate)

    table = _table(charts[WORDS["overview_table"]])
    assert len(table.rows) == len(mart) == 3
    for quality, label in {"quality": T["quality"], "general": T["general"], "all": WORDS["all"]}.items():
        row = table.row(**{WORDS["lead_quality"]: label})
        assert _count(row[T.step("lead")]) == mart[quality][0]
        _assert_rate(row[T["quality_rate"]], mart[quality][1])


def test_target_pacing_and_inside_sales_figures_equal_the_marts(
    published_database: Path, charts: dict[str, dict]
) -> None:
    with duckdb.connect(str(published_database), read_only=True) as con:
        pacing = con.execute("""
            select department, kpi, period_grain, attainment from kpi.kpi_target_pacing
            where is_as_of_date and target_level = 'department'""").fetchall()
        teams = con.execute("""
            select team_name, calls, contact_rate from kpi.kpi_inside_sales_teams
            where period_grain = 'month' and is_period_complete
            qualify period_start = max(period_start) over ()""").fetchall()
    pacing_table = _table(charts[T["pacing"]])
    assert len(pacing_table.rows) == len(pacing) > 0
    for department, kpi, period_grain, attainment in pacing:  # a KPI's month, quarter and half targets
        where = {
            T["department"]: T.department(department),
            T["kpi"]: T.target_kpi(kpi),
            WORDS["period_grain"]: period_grain,
        }
        row = pacing_table.row(**where)
        _assert_rate(row[T["attainment"]], attainment)

    team_table = _table(charts[WORDS["inside_sales"]])
    assert len(team_table.rows) == len(teams) > 0
    for team, calls, contact_rate in teams:
        row = team_table.row(**{WORDS["team"]: team})
        assert _count(row[WORDS["calls"]]) == calls
        _assert_rate(row[WORDS["contact_rate"]], contact_rate)


def test_funnel_health_shows_the_latest_weeks(published_database: Path, charts: dict[str, dict]) -> None:
    with duckdb.connect(str(published_database), read_only=True) as con:
        weeks = [
            row[0].isoformat()
            for row in con.execute(
                "select week_start from kpi.kpi_funnel_health order by week_start desc limit ?", [HEALTH_WEEKS]
            ).fetchall()
        ]
    [health] = [chart for name, chart in charts.items() if name.startswith(T["health"])]
    assert _table(health).column(WORDS["week_start"]) == weeks


def test_dashboard_screenshot(dashboard: tuple[Chromium, PageVisit], capsys: pytest.CaptureFixture[str]) -> None:
    browser, _visit = dashboard
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    png = browser.screenshot(SCREENSHOT, max_height=4000)
    with capsys.disabled():
        print(f"\nscreenshot of the Superset dashboard: {SCREENSHOT}")
    rgb = decode_png(png)[:, :, :3].reshape(-1, 3).astype(np.uint32)
    colours = np.unique(rgb[:, 0] << 16 | rgb[:, 1] << 8 | rgb[:, 2])
    assert len(colours) > 200, f"only {len(colours)} colours: the page looks blank"
