"""A crawler's folder and any kill (issue 14, the warehouse's share): nothing wrong, nothing lost, nothing stuck.

* the run process killed alone (its parse workers alive): the lock is free within seconds, and the
  next run completes;
* a file still being written is pending, never published half-written; a file that changes between the
  scan and its parse is left for the next run;
* every entry of the raw folder ends as a report, pending, or refused with a reason: links out of the
  folder (never opened), dangling links, link loops, hidden files, named pipes, folders that cannot be
  listed, files over the size limit (never hashed);
* two runs at once do not interleave: the second waits for the whole first run.

The folder's listing alone is tests/pipeline/test_listing.py; the lock alone, tests/assets/test_locking.py.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from assets.lib import batch_parsing
from assets.lib.locking import exclusive
from assets.lib.manifest import scan
from assets.lib.storage import lock_path
from pipeline import batch_store as store
from synthetic.corpus import corpus
from tests.support.crawler_folder import EXPECTED
from tests.support.nightly_support import SAMPLE_FILES, SAMPLES, Warehouse, kill_group, step_started, wait_for

AN_HOUR_AGO = time.time() - 3600


def _settled(path: Path) -> Path:
    os.utime(path, (AN_HOUR_AGO, AN_HOUR_AGO))
    return path



@pytest.mark.integration
def test_a_run_killed_alone_while_parsing_frees_the_lock_and_the_next_run_completes(tmp_path):
    wh = Warehouse(tmp_path)
    wh.land_samples()
    synthetic = wh.raw / "synthetic"
    synthetic.mkdir()
    for report, data in corpus(300, seed=14):
        (synthetic / report.name).write_bytes(data)
    log = tmp_path / "run.log"
    proc = wh.spawn_run(log, run_config={"ops": {"parsed_datasets": {"config": {"batch_size": 25, "workers": 2}}}})
    try:
        wait_for(lambda: step_started(log, "parsed_datasets"), 120, "the parse step", proc, log)
        time.sleep(1.0)
        os.kill(proc.pid, signal.SIGKILL)  # the run process alone, as the OOM killer does
        proc.wait(timeout=10)
        started = time.monotonic()
        with exclusive(lock_path(wh.published), timeout=15):
            waited = time.monotonic() - started
        assert waited < 5.0
    finally:
        kill_group(proc)
    assert wh.run().success
    files = {r[0] for r in wh.query("select path from file_manifest")}
    read = {r[0] for r in wh.query("select source_file from dim_report union all select path from quarantine")}
    assert len(files) == 305 and files <= read  # every file of the folder, read or refused


@pytest.mark.integration
def test_a_file_still_being_written_is_pending_and_never_published(tmp_path):
    wh = Warehouse(tmp_path)
    wh.land_samples(SAMPLE_FILES[:2])
    for name in SAMPLE_FILES[:2]:
        _settled(wh.raw / name)
    whole = (SAMPLES / SAMPLE_FILES[2]).read_bytes()
    growing = wh.raw / "growing.txt"
    growing.write_bytes(whole[:4800])  # caught mid-write: no date, a table cut short
    config = {"ops": {"raw__report_files": {"config": {"settle_seconds": 30}}}}
    first = wh.run(run_config=config)
    assert first.success
    assert wh.one("select count(*) from dim_report") == 2
    assert wh.one("select count(*) from file_manifest where path = 'growing.txt'") == 0
    growing.write_bytes(whole)  # the crawler finishes; later the file has settled
    _settled(growing)
    assert wh.run(run_config=config).success
    assert wh.one("select count(*) from dim_report where is_current") == 3
    assert wh.one("select count(*) from dim_report where source_file = 'growing.txt'") == 1  # one version only


@pytest.mark.integration
def test_a_file_changed_between_scan_and_parse_is_left_for_the_next_run(tmp_path, monkeypatch):
    raw, parquet = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    for name in SAMPLE_FILES[:3]:
        (raw / name).write_bytes((SAMPLES / name).read_bytes())
    manifest = scan(raw).manifest
    target = raw / SAMPLE_FILES[0]
    target.write_bytes(target.read_bytes() + b"\n\xe8\xbf\xbd\xe5\x8a\xa0")  # appended after the scan
    summary = batch_parsing.parse_pending(manifest, raw, parquet, workers=1)
    assert (summary.parsed, summary.pending) == (2, 1)
    assert SAMPLE_FILES[0] not in store.read_dataset(parquet, "reports").collect()["file"].to_list()

    # written to while it is read: the parsed bytes hash to another content, so it is not recorded either
    manifest = scan(raw).manifest
    monkeypatch.setattr(batch_parsing, "_not_as_scanned", lambda *a: None)
    changed = manifest.with_columns(
        sha256=pl.when(pl.col("path") == SAMPLE_FILES[0]).then(pl.lit("0" * 64)).otherwise(pl.col("sha256")))
    summary = batch_parsing.parse_pending(changed, raw, parquet, workers=1)
    assert (summary.parsed, summary.pending) == (0, 1)
    monkeypatch.undo()
    summary = batch_parsing.parse_pending(manifest, raw, parquet, workers=1)
    assert (summary.parsed, summary.pending) == (1, 0)




@pytest.mark.integration
def test_the_crawler_folder_through_a_run(tmp_path, crawler_folder):
    """Nothing outside the folder is read (its content is neither hashed nor parsed), nothing vanishes,
    and the run finishes."""
    _, outside = crawler_folder
    wh = Warehouse(tmp_path)
    config = {"ops": {"raw__report_files": {"config": {"max_file_bytes": 200_000}}}}
    assert wh.run(run_config=config).success
    never_read = {hashlib.sha256(outside.read_bytes()).hexdigest(),
                  hashlib.sha256(Path("/etc/passwd").read_bytes()).hexdigest()}
    seen = {r[0] for r in wh.query("select sha256 from file_manifest union all select report_id from dim_report")}
    assert not never_read & seen
    quarantine = dict(wh.query("select path, code from quarantine"))
    reports = {r[0] for r in wh.query("select source_file from dim_report")}
    refused = {p: c for p, c in EXPECTED.items() if c}
    assert quarantine == refused
    assert reports | set(quarantine) | {"inside-link.txt"} == set(EXPECTED)  # a link in: the same content once
    reasons = dict(wh.query("select path, reason from quarantine"))
    assert all(reasons[p] for p in refused)


@pytest.mark.integration
def test_two_runs_at_once_do_not_interleave(tmp_path):
    wh = Warehouse(tmp_path)
    wh.land_samples()
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    procs = [wh.spawn_run(log) for log in logs]
    try:
        for proc in procs:
            assert proc.wait(timeout=600) == 0
    finally:
        for proc in procs:
            kill_group(proc)
    spans = []
    for log in logs:
        text = log.read_text(errors="replace")
        stamps = [datetime.strptime(m, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
                  for m in re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \+0000 .*STEP_START", text, re.M)]
        ends = re.findall(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) \+0000 .*RUN_SUCCESS", text, re.M)
        assert stamps and ends, text[-2000:]
        spans.append((min(stamps), datetime.strptime(ends[-1], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)))
    first, second = sorted(spans)
    assert second[0] >= first[1], f"the second run started a step before the first run ended: {spans}"
    assert "another run holds the warehouse lock" in "".join(log.read_text(errors="replace") for log in logs)
