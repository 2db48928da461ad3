# One Makefile: the targets CI runs are the ones you run.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
TOOLS := .venv-tools
BIN := $(VENV)/bin
TENANT ?= demo
JOB ?= settlement
MONTH ?=

.PHONY: help venv tools browser run reset job test test-fast lint bench clean load-tenant openapi

help:
	@echo "make run      start the whole system locally (emulator, API, site) with demo data"
	@echo "make test     set up what the tests need and run them all"
	@echo "make reset    forget local data; the next run starts from the demo data"
	@echo "make job JOB=settlement|auto-events|reminders MONTH=YYYY-MM   run a monthly job now"
	@echo "make lint     ruff"
	@echo "make bench    benchmarks (figures go into the README)"

$(VENV)/.installed: requirements-dev.txt layers/common/requirements.txt client/pyproject.toml
	@$(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Seteli needs Python 3.11 or newer: make PY=python3.12 ...")'
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

$(TOOLS)/.installed: requirements-tools.txt
	test -d $(TOOLS) || $(PY) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check -r requirements-tools.txt
	touch $@

tools: $(TOOLS)/.installed

# Debian's Chromium and the Python playwright package (never a downloaded browser) for the site's
# browser test and bench/site_browser.py.
$(VENV)/.browser: tools/install_browser.sh $(VENV)/.installed
	tools/install_browser.sh $(VENV)
	touch $@

browser: $(VENV)/.browser

run: venv
	$(BIN)/python -m local run --tenant $(TENANT) $(RUN_ARGS)

reset:
	rm -rf .seteli/state
	@echo "local data removed; 'make run' starts again from the demo data"

job: venv
	$(BIN)/python -m local job $(JOB) $(if $(MONTH),--month $(MONTH))

load-tenant: venv
	$(BIN)/python tools/load_tenant.py tenants/$(TENANT).yaml

openapi: venv
	$(BIN)/python tools/openapi.py --write

lint: venv
	$(BIN)/ruff check .

test: venv tools browser
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

test-fast: venv
	$(BIN)/python -m pytest -q -m "not e2e and not template and not browser"

bench: venv
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .ruff_cache .hypothesis test-artifacts
