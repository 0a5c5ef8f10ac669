"""Helpers for the nightly-ingestion tests: a warehouse in a temporary folder, runs in process or in a
subprocess (to kill it), a reader process, and row counts read from the published file (read-only)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import duckdb

from assets.lib import atomic_publish
from tests.support import PROJECT, SAMPLES

# The five text samples (pinned: other files may land in data/raw/ while readers are developed).
SAMPLE_FILES = (
    "2019_wandong-zhen.utf8-bom.txt",  # 万东镇人民政府, 2019
    "2023_quantang-zhen.txt",  # 泉塘镇, 2023
    "2024_changgao-xiang_beipiao-shi.gb18030.txt",  # 北票市长皋乡人民政府, 2024
    "2024_huaping-zhen_zhenjiang-qu.txt",  # 浈江区花坪镇, 2024
    "2024_kejing-zhen.utf16.txt",  # 克井镇人民政府, 2024
)

# The part of the graph the nightly tests need (the whole graph also builds the analyst marts and charts).
CORE_SELECTION = (
    "raw/report_files",
    "parsed/*",
    "loaded/*",
    "seeds/*",
    "dim_report",
    "file_manifest",
    "quarantine",
    "findings",
    "identity_checks",
    "report_cells",
    "fact_applications",
    "fact_review_litigation",
    "fact_regulations",
    "fact_licensing",
    "fact_penalties",
    "fact_fees",
    "fact_procurement",
    "staging/stg_reports",
    "staging/stg_disclosure",
    "staging/stg_applications",
    "marts/penalties_by_body_year",
    "marts/applications_by_report",
    "publish/warehouse",
)

RUN_SCRIPT = """
import json, os, sys
import dagster as dg
from assets.definitions import defs
from assets.defs.automation import JOB_NAME
from tests.support.nightly_support import selection_keys
run_config = json.loads(os.environ.get("NIGHTLY_RUN_CONFIG") or "{}")
selection = json.loads(os.environ.get("NIGHTLY_SELECTION") or "null")
definitions = defs()
job = definitions.resolve_job_def(JOB_NAME)
with dg.DagsterInstance.ephemeral() as instance:
    result = job.execute_in_process(
        instance=instance, run_config=run_config, raise_on_error=False,
        asset_selection=selection_keys(definitions, selection) if selection else None,
    )
sys.exit(0 if result.success else 1)
"""

READER_SCRIPT = """
import duckdb, json, sys, time, pathlib
db, out, stop = sys.argv[1:4]
conn = duckdb.connect(db, read_only=True)  # held for the whole run
held = lambda: conn.execute("select count(*) from dim_report").fetchone()[0]
first = held()
print("ready", flush=True)
queries = errors = 0
messages = []
while not pathlib.Path(stop).exists():
    try:
        held()
        conn.execute("select sum(penalty_decisions) from marts.penalties_by_body_year").fetchall()
        queries += 1
    except Exception as exc:
        errors += 1
        messages.append(repr(exc))
    time.sleep(0.02)
last = held()
conn.close()
fresh = duckdb.connect(db, read_only=True)  # a new connection sees the new warehouse
new = fresh.execute("select count(*) from dim_report").fetchone()[0]
fresh.close()
json.dump({"first": first, "last": last, "new": new, "queries": queries, "errors": errors,
           "messages": messages[:5]}, open(out, "w"))
"""


def selection_keys(definitions: dg.Definitions, selection: Iterable[str]) -> list[dg.AssetKey]:
    """Asset keys of a selection written as user strings, `prefix/*` meaning every key under prefix."""
    keys = [spec.key for spec in definitions.resolve_all_asset_specs()]
    chosen = []
    for item in selection:
        if item.endswith("/*"):
            chosen += [k for k in keys if k.path[0] == item[:-2]]
        else:
            chosen.append(dg.AssetKey.from_user_string(item))
    return chosen


def table_counts(db: Path) -> dict[str, int]:
    """Rows of every table and view ("schema.table" → count)."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return atomic_publish.table_counts(conn, include_views=True)
    finally:
        conn.close()


@dataclass
class Warehouse:
    """A warehouse in a temporary folder: raw/, parquet/, warehouse.duckdb (published), build/."""

    root: Path

    @property
    def raw(self) -> Path:
        return self.root / "raw"

    @property
    def parquet(self) -> Path:
        return self.root / "parquet"

    @property
    def published(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def build(self) -> Path:
        return self.root / "build" / "warehouse.duckdb"

    def env(self) -> dict[str, str]:
        return {
            "RAW_DIR": str(self.raw),
            "PARQUET_DIR": str(self.parquet),
            "WAREHOUSE_DB": str(self.published),
            "CHARTS_DIR": str(self.root / "charts"),
        }

    def land_samples(self, names: Iterable[str] = SAMPLE_FILES) -> None:
        self.raw.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(SAMPLES / name, self.raw / name)

    def run(self, selection: Iterable[str] | None = CORE_SELECTION, run_config: dict | None = None):
        """Materialize (a selection of) the graph in process; returns the ExecuteInProcessResult."""
        from assets.definitions import defs

        saved = {k: os.environ.get(k) for k in self.env()}
        os.environ.update(self.env())
        try:
            definitions = defs()
            job = definitions.resolve_implicit_global_asset_job_def()
            with dg.DagsterInstance.ephemeral() as instance:
                return job.execute_in_process(
                    instance=instance,
                    run_config=run_config or {},
                    raise_on_error=False,
                    asset_selection=selection_keys(definitions, selection) if selection else None,
                )
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    def spawn_run(self, log: Path, selection: Iterable[str] | None = CORE_SELECTION, run_config: dict | None = None):
        """The same run in a subprocess (its own session, so that its worker processes can be killed too);
        Dagster's log goes to `log`."""
        env = {
            **os.environ,
            **self.env(),
            "NIGHTLY_RUN_CONFIG": json.dumps(run_config or {}),
            "NIGHTLY_SELECTION": json.dumps(list(selection) if selection else None),
            "PYTHONPATH": str(PROJECT),
        }
        return subprocess.Popen(
            [sys.executable, "-c", RUN_SCRIPT],
            cwd=PROJECT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
            start_new_session=True,
        )

    def counts(self) -> dict[str, int]:
        return table_counts(self.published)

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        conn = duckdb.connect(str(self.published), read_only=True)
        try:
            return conn.execute(sql, params or []).fetchall()
        finally:
            conn.close()

    def one(self, sql: str, params: list | None = None):
        rows = self.query(sql, params)
        assert len(rows) == 1, rows
        return rows[0][0] if len(rows[0]) == 1 else rows[0]


def kill_group(proc: subprocess.Popen) -> None:
    """kill -9 the run and its parser processes."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def step_started(log: Path, step: str) -> bool:
    return log.exists() and f'Started execution of step "{step}"' in log.read_text(errors="replace")


def wait_for(condition, timeout: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while not condition():
        if proc is not None and proc.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:] if log else ""
            raise AssertionError(f"the run ended (exit {proc.returncode}) before {what}: {tail}")
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def materialized(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}


def asset_metadata(result: dg.ExecuteInProcessResult, key: str) -> dict:
    for event in result.get_asset_materialization_events():
        if event.asset_key.to_user_string() == key:
            return {k: v.value for k, v in event.materialization.metadata.items()}
    raise KeyError(key)
