# Two commands on a fresh machine (Python 3.11+ and make):
#   make run    install everything, then build the warehouse from the reports in data/raw/
#   make test   lint and test (what .ci/run runs)
# and `make ui` for the Dagster UI on http://127.0.0.1:3000.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Dagster's instance (run history, schedules, asset checks) lives in the project, absolute and persistent.
export DAGSTER_HOME := $(CURDIR)/.dagster_home
# uv from PATH, else the one `pip install --user uv` put next to python3.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
HOST ?= 127.0.0.1
PORT ?= 3000

.PHONY: help install run test ui clean

help:
	@echo "make run    install (uv, then uv sync --frozen) and materialize every asset on data/raw/"
	@echo "make test   ruff check + pytest"
	@echo "make ui     Dagster UI on http://$(HOST):$(PORT) (DAGSTER_HOME=$(DAGSTER_HOME))"
	@echo "make clean  delete data/warehouse/ (the Parquet datasets and the DuckDB file)"

install:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --user uv \
		|| python3 -m pip install --user --break-system-packages uv || python3 -m pip install uv
	$(UV) sync --frozen
	@mkdir -p "$(DAGSTER_HOME)"
	@cp config/dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"

run: install
	$(UV) run dg launch --assets '*'
	@$(UV) run python -m assets.lib.summary

test: install
	$(UV) run ruff check .
	$(UV) run pytest

ui: install
	$(UV) run dg dev --host $(HOST) --port $(PORT)

clean:
	rm -rf data/warehouse
