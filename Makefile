# Two commands on a fresh machine (Python 3.11+ and make):
#   make run    install everything, then build the warehouse from the reports in data/raw/
#   make test   lint and test (what .ci/run runs)
# then `make sql` (the DuckDB CLI on the published warehouse, read-only), `make export` (CSV + Excel for
# spreadsheets), `make ui` for the Dagster UI on http://127.0.0.1:3000 (UI + daemon: schedules and sensors run),
# `make daemon` for the daemon alone (a server), `make nightly-on` / `make nightly-off` to switch the
# nightly schedule and the new-file sensor on or off (state kept in DAGSTER_HOME).
#
# Every target after `install` runs the project's tools from .venv/bin, never through `uv run`: uv may land
# where PATH does not look (~/.local/bin), but .venv/bin/<tool> exists once `make run` has installed it, in
# any shell, with no activation. The README's commands are these targets or .venv/bin/<tool> lines.

SHELL := /bin/bash
.DEFAULT_GOAL := help

# Dagster's instance (run history, schedules, asset checks) lives in the project, absolute and persistent.
export DAGSTER_HOME := $(CURDIR)/.dagster_home
# The tools below are the project environment's: dg then sees the environment it expects (no warning).
export VIRTUAL_ENV := $(CURDIR)/.venv
# uv from PATH, else the one `pip install --user uv` put next to python3.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
BIN := $(CURDIR)/.venv/bin
HOST ?= 127.0.0.1
PORT ?= 3000
# The published warehouse (what analysts open): WAREHOUSE_DB from the environment or .env, else the default.
WAREHOUSE ?= $(or $(WAREHOUSE_DB),$(shell sed -n 's/^WAREHOUSE_DB=//p' .env 2>/dev/null | tail -1),data/warehouse/warehouse.duckdb)

# The one code location: `make ui` (dg dev, named in pyproject.toml) and the daemon and the switches
# (this workspace file) use the same name, so they act on the same schedule and sensor state.
WORKSPACE := config/workspace.yaml
# `make run` prints the steps' own messages only (what was scanned, parsed, refused, published), not
# Dagster's per-event DEBUG lines; the summary follows (assets/lib/summary.py). It runs warehouse_job as
# `dg launch --job warehouse_job` would, and the summary, in one process (assets/lib/make_run.py): start-up once.
QUIET_RUN := {"loggers": {"terse": {"config": {"log_level": "INFO"}}}}

.PHONY: help install run test ui daemon nightly-on nightly-off sql export samples bench clean settle-samples

help:
	@echo "make run      install (uv, then uv sync --frozen) and build the warehouse from data/raw/"
	@echo "make sql      the DuckDB CLI on the published warehouse, read-only ($(WAREHOUSE))"
	@echo "make export   every mart as CSV (UTF-8 with BOM) and one Excel workbook, in data/warehouse/export/"
	@echo "make test     ruff check + pytest"
	@echo "make ui       Dagster UI on http://$(HOST):$(PORT) with the daemon (DAGSTER_HOME=$(DAGSTER_HOME))"
	@echo "make daemon   the Dagster daemon alone: runs the schedule and the sensors once switched on"
	@echo "make nightly-on / nightly-off   switch the 02:00 schedule and the new-file sensor on / off"
	@echo "make samples  write the generated sample reports of data/raw/ again (they are committed)"
	@echo "make bench    the benchmark on 10,000 and 100,000 generated reports (see Performance in the README)"
	@echo "make clean    delete data/warehouse/ (the Parquet datasets and the DuckDB file)"

# --compile-bytecode: the .pyc files are written once, when the environment is new or uv.lock changed, so every
# later start reads them instead of compiling dagster's 2,000 modules again (5 s per process where
# PYTHONDONTWRITEBYTECODE is set or site-packages is read-only); checking them all again costs 0.7 s, so the
# marker .venv/.bytecode says when it was done.
install:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --user uv \
		|| python3 -m pip install --user --break-system-packages uv || python3 -m pip install uv
	@if [ .venv/.bytecode -nt uv.lock ]; then $(UV) sync --frozen --quiet; \
	else $(UV) sync --frozen --quiet --compile-bytecode && touch .venv/.bytecode; fi
	@mkdir -p "$(DAGSTER_HOME)"
	@cp config/dagster.yaml "$(DAGSTER_HOME)/dagster.yaml"

run: install settle-samples
	@echo "Building the warehouse from data/raw/ (scan, parse what is new, load, models, publish) …"
	@$(BIN)/python -m assets.lib.make_run

# A checkout gives the bundled samples the checkout time, and a file younger than RAW_SETTLE_SECONDS (30 s)
# is left pending as maybe still being written: the samples git holds unmodified get their commit time.
settle-samples:
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		when=$$(git log -1 --format=%ct -- data/raw 2>/dev/null); \
		[ -n "$$when" ] && git ls-files -z data/raw | while IFS= read -r -d '' f; do \
			git diff --quiet -- "$$f" 2>/dev/null && touch -m -d "@$$when" "$$f"; done; \
	fi; true

test: install
	$(BIN)/ruff check .
	$(BIN)/pytest

sql: install
	@test -f "$(WAREHOUSE)" || { echo "no warehouse at $(WAREHOUSE): run 'make run' first"; exit 1; }
	$(BIN)/duckdb -readonly "$(WAREHOUSE)"

export: install
	@$(BIN)/dg launch --assets 'export/spreadsheets' --config-json '$(QUIET_RUN)'

# `exec`: the UI's process group gets the terminal's Ctrl-C without make or uv in between, so the first
# Ctrl-C stops the web server, the daemon and the code server cleanly.
ui: install
	exec $(BIN)/dg dev --host $(HOST) --port $(PORT)

daemon: install
	exec $(BIN)/dagster-daemon run -w $(WORKSPACE)

nightly-on: install
	$(BIN)/dagster schedule start nightly_warehouse -w $(WORKSPACE)
	$(BIN)/dagster sensor start new_raw_files -w $(WORKSPACE)

nightly-off: install
	$(BIN)/dagster schedule stop nightly_warehouse -w $(WORKSPACE)
	$(BIN)/dagster sensor stop new_raw_files -w $(WORKSPACE)

samples: install
	$(BIN)/python -m samples.fictional_bodies

clean:
	rm -rf data/warehouse

bench: install
	$(BIN)/python benchmarks/bench.py --sizes 10000 100000
