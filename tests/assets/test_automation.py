"""The nightly schedule, the new-file sensor and the publish step's place in the graph (issue 4, points 4–5).

The sensor is evaluated for real (`dg.build_sensor_context`) on a temporary raw directory and the
manifest that `assets/lib/manifest.py` writes; the schedule with `dg.build_schedule_context`.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from assets.definitions import defs
from assets.defs.automation import (
    NIGHTLY_CRON,
    SCHEDULE_NAME,
    SENSOR_NAME,
    TIMEZONE,
    new_raw_files,
    nightly_warehouse,
    warehouse_job,
)
from assets.defs.publish import PUBLISH_KEY
from assets.lib.manifest import scan_raw_dir
from assets.lib.storage import DataPaths
from pipeline.batch_store import write_parquet_atomic
from tests.support import PROJECT, SAMPLES

# Evaluates the sensor and the schedule through Dagster, one Dagster instance per tick.
pytestmark = pytest.mark.integration

SAMPLE = "2024_huaping-zhen_zhenjiang-qu.txt"
AN_HOUR_AGO = time.time() - 3600


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return defs()


def land(raw: Path, name: str, data: bytes, settled: bool = True) -> Path:
    path = raw / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if settled:
        os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    return path


class Sensor:
    """Evaluates the sensor tick after tick, carrying the cursor like the daemon does."""

    def __init__(self, root: Path):
        self.paths = DataPaths(raw_dir=str(root / "raw"), parquet_dir=str(root / "parquet"))
        self.cursor: str | None = None

    def tick(self) -> dg.SensorResult:
        with dg.build_sensor_context(cursor=self.cursor, resources={"paths": self.paths}) as context:
            result = new_raw_files(context)
        self.cursor = result.cursor
        return result

    def ingest(self) -> None:
        """What a run's manifest step does (the sensor compares the directory with the last manifest)."""
        write_parquet_atomic(scan_raw_dir(self.paths.raw), self.paths.manifest)


@pytest.fixture
def sensor(tmp_path) -> Sensor:
    (tmp_path / "raw").mkdir()
    return Sensor(tmp_path)


def test_sensor_requests_one_run_per_change_and_none_when_nothing_changed(sensor):
    land(sensor.paths.raw, SAMPLE, (SAMPLES / SAMPLE).read_bytes())
    first = sensor.tick()
    assert len(first.run_requests) == 1
    request = first.run_requests[0]
    assert request.run_key.startswith("raw-") and request.tags["raw/new_or_changed"] == "1"
    assert json.loads(sensor.cursor)["fingerprint"]

    # the run has not happened yet: the same change never requests a second run
    again = sensor.tick()
    assert not again.run_requests and again.skip_reason

    # after the run (manifest written) nothing is pending
    sensor.ingest()
    sensor.cursor = None  # even without a cursor, the manifest says everything is ingested
    assert not sensor.tick().run_requests


def test_the_run_key_is_the_change_set(sensor):
    raw = sensor.paths.raw
    land(raw, "a.txt", b"a")
    land(raw, "b.txt", b"b")
    key_ab = sensor.tick().run_requests[0].run_key
    fresh = Sensor(raw.parent)
    assert fresh.tick().run_requests[0].run_key == key_ab  # deterministic: same change, same key
    land(raw, "c.txt", b"c")
    assert sensor.tick().run_requests[0].run_key != key_ab


def test_new_changed_and_deleted_files_each_trigger(sensor):
    raw = sensor.paths.raw
    land(raw, "a.txt", b"a")
    land(raw, "sub dir/报告 'x'.txt", b"odd name")
    sensor.tick()
    sensor.ingest()
    assert not sensor.tick().run_requests

    land(raw, "a.txt", b"a, corrected")  # same path, new content (size and mtime change)
    changed = sensor.tick().run_requests
    assert len(changed) == 1 and changed[0].tags["raw/new_or_changed"] == "1"
    sensor.ingest()

    (raw / "sub dir/报告 'x'.txt").unlink()
    deleted = sensor.tick().run_requests
    assert len(deleted) == 1 and deleted[0].tags["raw/deleted"] == "1"


def test_files_still_landing_wait_for_a_later_tick(sensor, monkeypatch):
    import assets.defs.automation as automation

    monkeypatch.setattr(automation, "SETTLE_SECONDS", 30.0)  # the tests run with no window (conftest)
    raw = sensor.paths.raw
    young = land(raw, "partial.txt", b"still being written", settled=False)
    result = sensor.tick()
    assert not result.run_requests and "still landing" in str(result.skip_reason.skip_message)
    os.utime(young, (AN_HOUR_AGO, AN_HOUR_AGO))  # the crawler finished long ago
    assert len(sensor.tick().run_requests) == 1


def test_a_missing_raw_directory_requests_nothing(tmp_path):
    assert not Sensor(tmp_path).tick().run_requests


def test_nightly_schedule_runs_the_whole_graph_at_two_in_shanghai(definitions):
    schedule = definitions.resolve_schedule_def(SCHEDULE_NAME)
    assert schedule.cron_schedule == NIGHTLY_CRON == "0 2 * * *"
    assert schedule.execution_timezone == TIMEZONE == "Asia/Shanghai"
    assert schedule.default_status == dg.DefaultScheduleStatus.STOPPED  # switched on in the UI or the CLI
    assert schedule.job_name == warehouse_job.name
    tick = datetime(2026, 11, 23, 2, 0, tzinfo=ZoneInfo(TIMEZONE))
    with dg.build_schedule_context(scheduled_execution_time=tick) as context:
        requests = nightly_warehouse.evaluate_tick(context).run_requests
    assert len(requests) == 1
    assert nightly_warehouse.execution_timezone == "Asia/Shanghai"


def test_sensor_and_schedule_are_visible_and_switchable(definitions):
    sensor = definitions.resolve_sensor_def(SENSOR_NAME)
    assert sensor.default_status == dg.DefaultSensorStatus.STOPPED
    assert sensor.job_name == warehouse_job.name
    assert sensor.minimum_interval_seconds == 60


def test_the_job_is_the_whole_graph_with_publish_last(definitions):
    job = definitions.resolve_job_def(warehouse_job.name)
    graph = definitions.resolve_asset_graph()
    in_job = set(job.asset_layer.selected_asset_keys)
    export = dg.AssetKey(["export", "spreadsheets"])
    assert in_job == {key for key in graph.get_all_asset_keys() if not graph.get(key).is_external} - {export}
    assert PUBLISH_KEY in in_job
    # nothing in the job runs after publishing; the spreadsheets read the published file, on demand
    assert graph.get(PUBLISH_KEY).child_keys == {export}


def test_publish_depends_on_every_asset_that_touches_duckdb(definitions):
    """Derived from the definitions, so assets added later (new marts, docs, charts) publish too."""
    specs = {spec.key: spec for spec in definitions.resolve_all_asset_specs()}
    duckdb_assets = {key for key, spec in specs.items() if "duckdb" in spec.kinds and key != PUBLISH_KEY}
    deps = {dep.asset_key for dep in specs[PUBLISH_KEY].deps}
    assert deps == duckdb_assets
    assert {dg.AssetKey("dim_report"), dg.AssetKey(["marts", "penalties_by_body_year"])} <= deps
    pooled = {
        key
        for assets_def in definitions.resolve_asset_graph().assets_defs
        for key in assets_def.keys
        if assets_def.op.pool == "duckdb_write"
    }
    parquet_writers = {key for key in pooled if key.path[0] in ("raw", "parsed")}
    assert len(pooled) > len(parquet_writers) > 1
    assert pooled - parquet_writers - {PUBLISH_KEY} <= deps  # every DuckDB writer runs before publish


def test_instance_config_serialises_warehouse_runs(tmp_path, monkeypatch):
    shutil.copy(PROJECT / "config" / "dagster.yaml", tmp_path / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    with dg.DagsterInstance.get() as instance:
        config = instance.get_concurrency_config()
        assert config.pool_config.default_pool_limit == 1
