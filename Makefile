# fukan — the commands a data team types. `make run` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
PIP_FLAGS := -q --disable-pip-version-check -c constraints.txt
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DO_NOT_TRACK := 1

.PHONY: help install install-dev install-warehouses run test test-warehouses ui report clean

help:  ## list the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(PY):
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "fukan needs Python 3.11, found " + sys.version' 
	$(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(PY)
	@echo "Installing fukan and its pinned dependencies into $(VENV) ..."
	$(PIP) install $(PIP_FLAGS) -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	@echo "Installing test dependencies ..."
	$(PIP) install $(PIP_FLAGS) -e '.[dev]'
	@touch $@

$(VENV)/.installed-warehouses: $(VENV)/.installed-dev
	@echo "Installing the warehouse adapters (dbt-postgres, dbt-spark; pyspark builds locally, about a minute) ..."
	$(PIP) install $(PIP_FLAGS) -e '.[dev,warehouses]'
	@touch $@

install: $(VENV)/.installed  ## create .venv and install fukan (idempotent)

install-dev: $(VENV)/.installed-dev  ## install fukan with test dependencies

install-warehouses: $(VENV)/.installed-warehouses  ## install the PostgreSQL and Spark adapters (extra `warehouses`)

run: install  ## refresh the warehouse end to end (demo extracts if the landing folder is empty)
	$(VENV)/bin/fukan run --demo-if-empty

test: install-dev  ## run the whole test suite (installs headless Chromium for the report test if missing)
	@test -x /usr/bin/chromium || { echo "Installing Debian's chromium for the browser test ..."; apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
	$(PY) -m pytest

test-warehouses: install-warehouses  ## build the demo extracts on the other warehouses and compare with DuckDB (slow)
	$(PY) -m pytest -m warehouses tests/warehouses

ui: install  ## start the Dagster web UI on http://127.0.0.1:3000 (FUKAN_UI_PORT); Ctrl-C stops it
	$(PY) -m orchestration.ui

report: install  ## rebuild the KPI overview report from the published copy (published/report.html, report.en.html)
	$(VENV)/bin/fukan report

clean:  ## remove the working warehouse, demo landing files and the Dagster instance
	rm -rf warehouse data/landing .dagster_home dbt_project/target
