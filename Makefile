# fukan — the commands a data team types. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PIP_FLAGS := -q --disable-pip-version-check -c constraints.txt
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DO_NOT_TRACK := 1

.PHONY: help install install-dev install-warehouses browser-deps lint run test test-warehouses test-bi ui report dashboard dashboard-dev bench clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "fukan needs Python 3.11, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(PY)
	@echo "Installing fukan and its pinned dependencies into $(VENV) ..."
	$(PIP) install $(PIP_FLAGS) -e .
	@echo "Preparing the dbt manifest (dbt parse, once; runs re-parse only what changed) ..."
	$(PY) -c 'from orchestration.dbt_project import ensure_manifest; ensure_manifest()'
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	@echo "Installing test dependencies ..."
	$(PIP) install $(PIP_FLAGS) -e '.[dev]'
	@touch $@

install: $(VENV)/.installed  ## create .venv, install fukan and prepare the dbt manifest (idempotent)

install-dev: $(VENV)/.installed-dev  ## install fukan with test dependencies

$(VENV)/.installed-warehouses: $(VENV)/.installed-dev
	@echo "Installing the warehouse adapters (dbt-postgres, dbt-spark; pyspark builds locally, about a minute) ..."
	$(PIP) install $(PIP_FLAGS) -e '.[dev,warehouses]'
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { echo "Installing Debian's postgresql for the test cluster ..."; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }
	@touch $@

install-warehouses: $(VENV)/.installed-warehouses  ## install the Postgres and Spark adapters, and PostgreSQL for their tests

run: install  ## refresh the warehouse end to end (demo extracts if the landing folder is empty)
	$(VENV)/bin/fukan run --demo-if-empty

# Headless Chromium and a Japanese font for the browser tests (report, dashboard), from Debian.
browser-deps:
	@test -x /usr/bin/chromium -a -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc || { echo "Installing Debian's chromium and fonts-noto-cjk for the browser tests ..."; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# sqlfluff compiles the project with dbt: into a folder of its own, not the run's target/.
LINT_WAREHOUSE := $(CURDIR)/.lint/fukan.duckdb
LINT_DBT_ENV := FUKAN_WAREHOUSE=$(LINT_WAREHOUSE) DBT_TARGET_PATH=$(CURDIR)/.lint/target DBT_LOG_PATH=$(CURDIR)/.lint/logs

lint: install-dev  ## ruff (lint and format check) on the Python, sqlfluff on the dbt models and tests
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@mkdir -p $(dir $(LINT_WAREHOUSE))
	@# Models that list the funnel steps read the seed while dbt compiles them.
	$(LINT_DBT_ENV) $(VENV)/bin/fukan dbt --warehouse $(LINT_WAREHOUSE) -- seed --quiet --select funnel_steps
	$(LINT_DBT_ENV) $(VENV)/bin/sqlfluff lint dbt_project/models dbt_project/tests --processes 2

test: install-dev browser-deps  ## run the test suite (engine comparisons: make test-warehouses; installs headless Chromium and a Japanese font for the report test if missing)
	$(PY) -m pytest

test-warehouses: install-warehouses  ## build the demo extracts on PostgreSQL (private cluster) and Spark and compare every KPI mart with DuckDB; rerun the launch-path and edge-case refreshes with the extras installed
	$(PY) -m pytest -m warehouses tests/warehouses
	@# pyspark changes what Great Expectations imports in Dagster's run worker: launch as the daemon does, with it installed.
	$(PY) -m pytest tests/test_quality_gx_import.py tests/test_orchestration_launch.py tests/test_edge_case_extracts.py

SUPERSET_VENV := bi/superset/.venv

$(SUPERSET_VENV)/.installed: bi/superset/requirements.txt
	@echo "Installing Apache Superset into its own virtualenv $(SUPERSET_VENV) (pinned in bi/superset/requirements.txt) ..."
	$(PYTHON) -m venv $(SUPERSET_VENV)
	$(SUPERSET_VENV)/bin/pip install -q --disable-pip-version-check --no-deps -r bi/superset/requirements.txt
	@touch $@

test-bi: install-dev browser-deps $(SUPERSET_VENV)/.installed  ## build the demo warehouse and the Superset dashboard on it; check its figures in headless Chromium (screenshot in bi/screenshots/)
	$(PY) -m pytest -m bi tests/bi

dashboard: install $(SUPERSET_VENV)/.installed  ## import the KPI dashboard into a local Superset reading the published copy (bi/superset; then make dashboard-dev)
	$(PY) bi/superset/instance.py prepare

dashboard-dev: dashboard  ## serve the Superset dashboard on http://127.0.0.1:8088 (Ctrl-C stops it)
	$(PY) bi/superset/instance.py serve

ui: install  ## start the Dagster web UI on http://127.0.0.1:3000 (FUKAN_UI_PORT); Ctrl-C stops it
	$(PY) -m orchestration.ui

report: install  ## rebuild the KPI overview report from the published copy (published/report.html, report.en.html)
	$(VENV)/bin/fukan report

BENCH_SIZES ?= small,medium,large

bench: install-dev  ## benchmark full and one-day refreshes against a DuckDB floor and pandas (BENCH_SIZES=small,medium,large; see bench/RESULTS.md)
	$(PY) -m bench.run --sizes $(BENCH_SIZES)

clean:  ## remove the working warehouse, demo landing files and the Dagster instance
	rm -rf warehouse data/landing .dagster_home dbt_project/target
