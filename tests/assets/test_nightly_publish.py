"""Never a half-written warehouse, and analysts never locked out (issue 4, points 5–6), for real:

1. a first run publishes the five samples;
2. 600 synthetic reports land; a run in a subprocess is killed with SIGKILL while it parses (after its
   first batch of 50 is written): the published file still opens read-only with the first run's counts;
3. a second subprocess run is killed while it loads the DuckDB tables: the same;
4. a reader process holds a read-only connection on the published file and queries it in a loop while a
   third run completes: the run succeeds, the reader never fails, keeps its snapshot while connected, and
   sees the new warehouse when it reconnects; the third run parses nothing (the killed runs' work is kept);
5. a run fails mid-way (a corrupt Parquet file): nothing is published; once repaired, the next run succeeds.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from assets.lib.atomic_publish import PublishError, publish, validate
from pipeline import batch_store as store
from synthetic.corpus import corpus
from tests.support.nightly_support import (
    READER_SCRIPT,
    Warehouse,
    asset_metadata,
    kill_group,
    materialized,
    step_started,
    wait_for,
)

# Runs the asset graph in subprocesses and kills them.
pytestmark = pytest.mark.integration

SYNTHETIC = 600
BATCH = 50
RUN_CONFIG = {"ops": {"parsed_datasets": {"config": {"batch_size": BATCH, "workers": 2}}}}


def batches(wh: Warehouse) -> set[str]:
    return {p.stem for p in store.dataset_dir(wh.parquet, "reports").glob("*.parquet")} - {"empty"}


@dataclass
class Story:
    wh: Warehouse
    baseline: dict[str, int]
    after_parse_kill: dict[str, int]
    batches_before: int
    batches_after_parse_kill: int
    after_load_kill: dict[str, int]
    load_kill_log: str
    reader: dict
    third: object
    after_third: dict[str, int]


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    wh = Warehouse(tmp_path_factory.mktemp("publish"))
    wh.land_samples()
    first = wh.run(run_config=RUN_CONFIG)
    assert first.success
    baseline = wh.counts()
    before = batches(wh)

    for report, data in corpus(SYNTHETIC, seed=11, defect_rate=0.05):
        (wh.raw / "synth" / report.name[:4]).mkdir(parents=True, exist_ok=True)
        (wh.raw / "synth" / report.name[:4] / report.name).write_bytes(data)

    # 2. kill -9 while parsing
    log = wh.root / "parse-kill.log"
    proc = wh.spawn_run(log, run_config=RUN_CONFIG)
    wait_for(lambda: len(batches(wh) - before) >= 1, 180, "the first new batch", proc, log)
    kill_group(proc)
    after_parse_kill = wh.counts()
    written = len(batches(wh) - before)

    # 3. kill -9 while loading DuckDB
    log = wh.root / "load-kill.log"
    proc = wh.spawn_run(log, run_config=RUN_CONFIG)
    wait_for(lambda: step_started(log, "sql_models"), 240, "the SQL models step", proc, log)
    kill_group(proc)
    after_load_kill = wh.counts()

    # 4. a reader holds the published file while the next run completes
    stop, out = wh.root / "stop-reader", wh.root / "reader.json"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER_SCRIPT, str(wh.published), str(out), str(stop)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout.readline().strip() == "ready"
    try:
        third = wh.run(run_config=RUN_CONFIG)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    return Story(
        wh=wh,
        baseline=baseline,
        after_parse_kill=after_parse_kill,
        batches_before=len(before),
        batches_after_parse_kill=written,
        after_load_kill=after_load_kill,
        load_kill_log=log.read_text(errors="replace"),
        reader=json.loads(out.read_text()),
        third=third,
        after_third=wh.counts(),
    )


def test_a_run_killed_while_parsing_leaves_the_published_warehouse_intact(story):
    assert story.baseline["main.dim_report"] == 5
    assert story.after_parse_kill == story.baseline
    # it was killed mid-parse: some batches were written, far from all of them
    assert 1 <= story.batches_after_parse_kill < SYNTHETIC // BATCH


def test_a_run_killed_while_loading_leaves_the_published_warehouse_intact(story):
    assert 'Started execution of step "sql_models"' in story.load_kill_log
    assert story.after_load_kill == story.baseline


def test_the_next_run_completes_and_keeps_the_killed_runs_work(story):
    assert story.third.success
    assert "publish/warehouse" in materialized(story.third)
    parsed = asset_metadata(story.third, "parsed/reports")
    summary = {k: parsed[k] for k in ("parsed_files", "already_parsed", "batches_written", "batches_dropped")}
    assert parsed["parsed_files"] == 0, summary  # the killed runs had parsed everything before being killed
    reports = story.after_third["main.dim_report"]
    quarantined = story.after_third["main.quarantine"]
    assert reports + quarantined >= 5 + SYNTHETIC - 5, (reports, quarantined)  # a few may be exact duplicates
    manifest = story.wh.query("select status, count(*) from file_manifest group by status")
    assert dict(manifest).keys() <= {"parsed", "quarantined"}, manifest
    assert sum(n for _, n in manifest) == 5 + SYNTHETIC, manifest
    # never duplicated: one row per report in dim_report, and one parse per report in the facts
    assert story.wh.one("select count(*) - count(distinct report_id) from dim_report") == 0
    assert story.wh.one(
        "select count(*) from (select report_id, outcome, applicant_type from fact_applications "
        "group by all having count(*) > 1)"
    ) == 0


def test_a_reader_holding_the_published_file_is_never_locked_out(story):
    reader = story.reader
    assert reader["errors"] == 0, reader["messages"]
    assert reader["queries"] > 0
    assert reader["first"] == reader["last"] == story.baseline["main.dim_report"]  # its snapshot, while connected
    assert reader["new"] == story.after_third["main.dim_report"] > reader["first"]  # a new connection: new data


def test_a_failed_step_publishes_nothing_and_the_next_run_completes(story):
    wh = story.wh
    before = wh.counts()
    victim = sorted(store.dataset_dir(wh.parquet, "art20_6").glob("2*.parquet"))[0]
    saved = victim.read_bytes()
    victim.write_bytes(b"not parquet at all")
    failed = wh.run(run_config=RUN_CONFIG)
    assert not failed.success
    assert "fact_penalties" not in materialized(failed)
    assert "publish/warehouse" not in materialized(failed)
    assert wh.counts() == before
    victim.write_bytes(saved)
    assert wh.run(run_config=RUN_CONFIG).success
    assert wh.counts() == before


def test_a_failed_publish_check_in_a_run_publishes_nothing(story):
    wh = story.wh
    before = wh.published.read_bytes()
    conn = duckdb.connect(str(wh.build))
    conn.execute("insert into dim_report select * from dim_report limit 1")  # a report twice
    conn.close()
    try:
        result = wh.run(selection=["publish/warehouse"])
        assert not result.success
        failure = next(e for e in result.all_events if e.is_step_failure)
        assert "dim_report: 1 duplicated (report_id)" in failure.event_specific_data.error.message
        assert wh.published.read_bytes() == before
    finally:
        conn = duckdb.connect(str(wh.build))
        conn.execute("create or replace table dim_report as select distinct * from dim_report")
        conn.close()


def test_publish_refuses_a_build_that_fails_its_checks(story, tmp_path):
    wh = story.wh
    build = tmp_path / "build.duckdb"
    shutil.copy(wh.published, build)
    published = tmp_path / "published.duckdb"
    shutil.copy(wh.published, published)
    conn = duckdb.connect(str(build))
    conn.execute("insert into dim_report select * from dim_report limit 1")  # a duplicated report
    conn.close()
    with pytest.raises(PublishError, match="dim_report: 1 duplicated"):
        publish(build, published)
    assert published.read_bytes() == wh.published.read_bytes()  # untouched


def test_publish_refuses_a_build_without_the_warehouse_tables(tmp_path):
    build = tmp_path / "build.duckdb"
    duckdb.connect(str(build)).close()
    with pytest.raises(PublishError, match="missing"):
        publish(build, tmp_path / "published.duckdb")
    assert not (tmp_path / "published.duckdb").exists()


def test_the_published_warehouse_passes_the_publish_checks(story):
    conn = duckdb.connect(str(story.wh.published), read_only=True)
    try:
        counts = {f"main.{t}": 1 for (t,) in conn.execute("select table_name from duckdb_tables()").fetchall()}
        assert validate(conn, counts) == []
    finally:
        conn.close()
    assert not list(Path(story.wh.root).glob(".warehouse.duckdb.*.tmp"))  # no temporary copy left behind
