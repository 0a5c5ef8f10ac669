"""What a person sees of a run without opening the UI (issue 16, points 9 and 10): a failed run written where
they look, `make run`'s terse output, the publish freshness policy, `pipeline parse DIR`'s progress line."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys

import dagster as dg
import pytest

from assets.definitions import defs
from assets.defs import failure_alerts
from assets.defs.publish import FRESHNESS_DEADLINE, PUBLISH_KEY
from assets.defs.terminal_log import LOGGER
from tests.support import PROJECT
from tests.support import variants as V
from tests.support.nightly_support import SAMPLE_FILES, Warehouse


@dg.op
def breaks() -> None:
    raise ValueError("the build file is read-only")


@dg.job
def failing_job() -> None:
    breaks()


def test_a_failed_run_is_written_beside_the_warehouse_and_sent(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_DB", str(tmp_path / "warehouse.duckdb"))
    sent = tmp_path / "alert.txt"
    monkeypatch.setenv("WAREHOUSE_ALERT_COMMAND", f"cat > {sent}")
    with dg.DagsterInstance.ephemeral() as instance:
        result = failing_job.execute_in_process(instance=instance, raise_on_error=False)
        assert not result.success
        failure = next(e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE)
        context = dg.build_run_status_sensor_context(
            sensor_name=failure_alerts.SENSOR_NAME, dagster_event=failure, dagster_instance=instance,
            dagster_run=result.dagster_run).for_run_failure()
        failure_alerts.record_run_failure(context)
    marker = (tmp_path / failure_alerts.MARKER).read_text(encoding="utf-8")
    assert f"Run {result.run_id} of failing_job failed" in marker
    assert "- step breaks: ValueError: the build file is read-only" in marker
    assert sent.read_text(encoding="utf-8") == marker
    assert (tmp_path / failure_alerts.HISTORY).read_text(encoding="utf-8").startswith(marker)


def test_the_failure_sensor_is_on_by_default():
    sensor = defs().resolve_sensor_def(failure_alerts.SENSOR_NAME)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING


def test_the_published_warehouse_is_expected_every_night():
    spec = {s.key: s for s in defs().resolve_all_asset_specs()}[PUBLISH_KEY]
    assert spec.freshness_policy is not None and FRESHNESS_DEADLINE == "0 4 * * *"


def test_make_run_prints_step_messages_not_debug_events(tmp_path, monkeypatch, capfd):
    wh = Warehouse(tmp_path)
    wh.land_samples(SAMPLE_FILES[:2])
    (wh.raw / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj")  # a truncated PDF: refused, named with its reason
    for key, value in wh.env().items():
        monkeypatch.setenv(key, value)
    config = {"loggers": {LOGGER: {"config": {"log_level": "INFO"}}}}
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs().resolve_job_def("warehouse_job").execute_in_process(
            instance=instance, run_config=config, raise_on_error=False)
    assert result.success
    out = capfd.readouterr().out
    lines = [line for line in out.splitlines() if line.startswith("  ")]
    assert "DEBUG" not in out and "STEP_OUTPUT" not in out
    assert any(line.startswith("  raw/report_files:") for line in lines)
    assert any("refused broken.pdf: unreadable_pdf: " in line for line in lines), out[-3000:]
    assert any(line.startswith("  publish/warehouse: published") for line in lines)


def test_parse_dir_shows_progress_and_a_summary_on_a_terminal(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for k, seed in enumerate(V.SEEDS):
        (folder / f"{k}_{seed}.txt").write_text(V.seed_text(seed), encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    leader, follower = pty.openpty()
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", str(folder)], stdout=subprocess.PIPE,
                          stderr=follower, timeout=300, env={**os.environ, "TERM": "xterm"})
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    terminal = b"".join(chunks).decode("utf-8")
    assert proc.returncode == 1
    assert len([json.loads(x) for x in proc.stdout.splitlines()]) == len(V.SEEDS)  # stdout: JSON lines only
    assert f"parsed {len(V.SEEDS) + 1:,}/{len(V.SEEDS) + 1:,} files (1 refused)" in terminal
    assert "empty.txt: empty_file: the file is empty" in terminal
    assert f"{len(V.SEEDS) + 1} files in " in terminal
    assert f": {len(V.SEEDS)} reports, 1 refused (empty_file 1)" in terminal


@pytest.mark.parametrize("target", ["ui", "daemon"])
def test_ui_and_daemon_hand_the_terminal_to_dagster(target):
    """`exec`: the first Ctrl-C reaches Dagster's own process group, which stops everything cleanly."""
    plan = subprocess.run(["make", "-n", target], cwd=PROJECT, capture_output=True, text=True, timeout=60)
    assert plan.stdout.strip().splitlines()[-1].startswith("exec "), plan.stdout
