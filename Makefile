# Two commands on a fresh machine (Python 3.11+ and make):
#   make run    install everything, then build the warehouse from the reports in data/raw/
#   make test   lint and test (what .ci/run runs)
# and `make ui` for the Dagster UI on http://127.0.0.1:3000 (UI + daemon: schedules and sensors run),
# `make daemon` for the daemon alone (a server), `make nightly-on` / `make nightly-off` to switch the
# nightly schedule and the new-file sensor on or off (state kept in DAGSTER_HOME).

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Dagster's instance (run history, schedules, asset checks) lives in the project, absolute and persistent.
export DAGSTER_HOME := $(CURDIR)/.dagster_home
# uv from PATH, else the one `pip install --user uv` put next to python3.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
HOST ?= 127.0.0.1
PORT ?= 3000

WORKSPACE := config/workspace.yaml

.PHONY: help install run test ui daemon nightly-on nightly-off bench clean settle-samples

help:
	@echo "make run    install (uv, then uv sync --frozen) and materialize every asset on data/raw/"
	@echo "make test   ruff check + pytest"
	@echo "make ui     Dagster UI on http://$(HOST):$(PORT) with the daemon (DAGSTER_HOME=$(DAGSTER_HOME))"
	@echo "make daemon the Dagster daemon alone: runs the schedule and the sensor once switched on"
	@echo "make nightly-on / nightly-off   switch the 02:00 schedule and the new-file sensor on / off"
	@echo "make bench  the benchmark on 10,000 and 100,000 generated reports (see Performance in the README)"
	@echo "make clean  delete data/warehouse/ (the Parquet datasets and the DuckDB file)"

install:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --user uv \
		|| python3 -m pip install --user --break-system-packages uv || python3 -m pip install uv
	$(UV) sync --frozen
	@mkdir -p "$(DAGSTER_HOME)"
	@cp config/dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"

run: install settle-samples
	$(UV) run dg launch --assets '*'
	@$(UV) run python -m assets.lib.summary

# A checkout gives the bundled samples the checkout time, and a file younger than RAW_SETTLE_SECONDS (30 s)
# is left pending as maybe still being written: the samples git holds unmodified get their commit time.
settle-samples:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		when=$$(git log -1 --format=%ct -- data/raw 2>/dev/null); \
		[ -n "$$when" ] && git ls-files -z data/raw | while IFS= read -r -d '' f; do \
			git diff --quiet -- "$$f" 2>/dev/null && touch -m -d "@$$when" "$$f"; done; \
	fi; true

test: install
	$(UV) run ruff check .
	$(UV) run pytest

ui: install
	$(UV) run dg dev --host $(HOST) --port $(PORT)

daemon: install
	$(UV) run dagster-daemon run -w $(WORKSPACE)

nightly-on: install
	$(UV) run dagster schedule start nightly_warehouse -w $(WORKSPACE)
	$(UV) run dagster sensor start new_raw_files -w $(WORKSPACE)

nightly-off: install
	$(UV) run dagster schedule stop nightly_warehouse -w $(WORKSPACE)
	$(UV) run dagster sensor stop new_raw_files -w $(WORKSPACE)

clean:
	rm -rf data/warehouse

bench: install
	$(UV) run python benchmarks/bench.py --sizes 10000 100000
