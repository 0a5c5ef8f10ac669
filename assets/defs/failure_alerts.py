"""A failed run is visible without opening the UI: the sensor `record_run_failure` (on by default; it runs
in the daemon of `make ui` or `make daemon`) writes what failed and why where a person looks.

* `LAST_RUN_FAILED.txt` beside the published warehouse (data/warehouse/): the run, its job, when, and each
  failed step with its error. The next successful publish removes it (the warehouse is good again);
  `make run` prints it while it is there.
* `run_failures.log` beside it: one block per failure, kept.
* the daemon's log (an ERROR line).
* optionally a notification: env `WAREHOUSE_ALERT_COMMAND` is a shell command that gets the same text on its
  standard input (`mail -s "warehouse run failed" ops@example.org`, a `curl` to a chat webhook, …).

Analysts keep the last good warehouse whatever failed (the publish step never ran or refused the build).
"""

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from assets.lib.storage import published_warehouse

SENSOR_NAME = "record_run_failure"
MARKER = "LAST_RUN_FAILED.txt"
HISTORY = "run_failures.log"
ALERT_TIMEOUT_SECONDS = 60


def marker_path(published: Path | None = None) -> Path:
    """The file that says the last run failed, beside the published warehouse."""
    return (published or published_warehouse()).parent / MARKER


def failure_text(context: dg.RunFailureSensorContext) -> str:
    """What failed and why, in a few lines a person reads."""
    run = context.dagster_run
    lines = [
        f"Run {run.run_id} of {run.job_name} failed at {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC.",
        "The published warehouse is unchanged (the last good one).",
    ]
    steps = context.get_step_failure_events()
    for event in steps:
        error = event.event_specific_data.error if event.event_specific_data else None
        while error is not None and error.cause is not None:  # Dagster's wrapper → the error the step raised
            error = error.cause
        message = error.message.strip() if error else event.message
        lines.append(f"- step {event.step_key}: {message}")
    if not steps:
        lines.append(f"- {context.failure_event.message}")
    lines.append(f"Details: the run's page in the UI (make ui → Runs → {run.run_id[:8]}).")
    return "\n".join(lines) + "\n"


def notify(text: str, log: dg.DagsterLogManager | None = None) -> None:
    """Run WAREHOUSE_ALERT_COMMAND (if set) with the text on its standard input; a failing command is logged."""
    command = os.environ.get("WAREHOUSE_ALERT_COMMAND", "").strip()
    if not command:
        return
    try:
        done = subprocess.run(command, shell=True, input=text, text=True, capture_output=True,
                              timeout=ALERT_TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        if log:
            log.warning(f"WAREHOUSE_ALERT_COMMAND did not finish in {ALERT_TIMEOUT_SECONDS} s")
        return
    if done.returncode != 0 and log:
        log.warning(f"WAREHOUSE_ALERT_COMMAND exited {done.returncode}: {done.stderr.strip()[:500]}")


@dg.run_failure_sensor(
    name=SENSOR_NAME,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=f"Writes what failed and why to {MARKER} and {HISTORY} beside the published warehouse "
    "(data/warehouse/), logs it, and runs WAREHOUSE_ALERT_COMMAND with it if that is set.",
)
def record_run_failure(context: dg.RunFailureSensorContext) -> None:
    text = failure_text(context)
    marker = marker_path()
    marker.parent.mkdir(parents=True, exist_ok=True)
    tmp = marker.with_name(f".{MARKER}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, marker)
    with (marker.parent / HISTORY).open("a", encoding="utf-8") as history:
        history.write(text + "\n")
    context.log.error(text.strip())
    notify(text, context.log)
