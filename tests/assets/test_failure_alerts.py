"""A failed run is written where people look (assets/defs/failure_alerts.py, issue 16, point 9): a file beside the
warehouse, the alert command, and the failure sensor on by default."""

from __future__ import annotations

import dagster as dg
import pytest

from assets.definitions import defs
from assets.defs import failure_alerts


@dg.op
def breaks() -> None:
    raise ValueError("the build file is read-only")


@dg.job
def failing_job() -> None:
    breaks()


@pytest.mark.integration
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


@pytest.mark.integration
def test_the_failure_sensor_is_on_by_default():
    sensor = defs().resolve_sensor_def(failure_alerts.SENSOR_NAME)
    assert sensor.default_status == dg.DefaultSensorStatus.RUNNING
