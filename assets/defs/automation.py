"""Automation: the whole graph every night at 02:00 (Asia/Shanghai), and whenever new files land.

Both request runs of `warehouse_job` (every asset but the on-demand spreadsheets, publish last); the daemon
runs them (`make ui` runs one through `dg dev`, `make daemon` one without the UI) with the persistent
instance in DAGSTER_HOME.
They are STOPPED until switched on: in the UI (Automation), with
`dagster schedule start nightly_warehouse` / `dagster sensor start new_raw_files`, or by setting
`WAREHOUSE_AUTOMATION=on` before the daemon starts (then they start RUNNING).

The sensor only stats `data/raw/` and reads the last manifest (assets/lib/sensing.py); it never opens
DuckDB and never reads a report. Its run key is a hash of the change set, so one change requests one
run however many ticks see it; a change whose run failed is retried by the nightly schedule.
"""

import json
import os

import dagster as dg

from assets.lib.sensing import SETTLE_SECONDS, raw_changes
from assets.lib.storage import DataPaths

JOB_NAME = "warehouse_job"
SCHEDULE_NAME = "nightly_warehouse"
SENSOR_NAME = "new_raw_files"
NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Asia/Shanghai"
SENSOR_INTERVAL_SECONDS = 60


def automation_on() -> bool:
    return os.environ.get("WAREHOUSE_AUTOMATION", "").strip().lower() in {"1", "on", "true", "yes", "running"}


# The spreadsheets (`make export`) read the published file and are written on demand, not every night:
# researchers ask for them, and writing every mart to Excel would cost the nightly run more than its parse.
ON_DEMAND = dg.AssetSelection.assets(dg.AssetKey(["export", "spreadsheets"]))

warehouse_job = dg.define_asset_job(
    name=JOB_NAME,
    selection=dg.AssetSelection.all() - ON_DEMAND,
    description="The whole graph but the spreadsheets: manifest, parse what is new, rebuild the tables and "
    "marts in the build file, then publish it atomically as the analysts' warehouse.",
)

nightly_warehouse = dg.ScheduleDefinition(
    name=SCHEDULE_NAME,
    job=warehouse_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING if automation_on() else dg.DefaultScheduleStatus.STOPPED,
    description="Every night at 02:00 Asia/Shanghai: the whole graph (safety net for anything the sensor missed).",
)


@dg.sensor(
    name=SENSOR_NAME,
    job=warehouse_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING if automation_on() else dg.DefaultSensorStatus.STOPPED,
    description="Requests a run of the whole graph when files in the raw directory are new, changed or deleted "
    f"(stat-based: path, size, mtime against the last manifest; files younger than {SETTLE_SECONDS:g} s wait).",
)
def new_raw_files(context: dg.SensorEvaluationContext, paths: DataPaths) -> dg.SensorResult:
    if not paths.raw.is_dir():
        return dg.SensorResult(skip_reason=dg.SkipReason(f"{paths.raw} does not exist"), cursor=context.cursor)
    cursor = json.loads(context.cursor) if context.cursor else {}
    changes = raw_changes(paths.raw, paths.manifest, SETTLE_SECONDS, cursor.get("fingerprint"))
    new_cursor = json.dumps({"fingerprint": changes.fingerprint})
    if not changes.changed:
        waiting = f" ({changes.landing} files still landing)" if changes.landing else ""
        return dg.SensorResult(skip_reason=dg.SkipReason(f"no new, changed or deleted file{waiting}"),
                               cursor=new_cursor)
    context.log.info(f"{len(changes.added)} new or changed, {len(changes.removed)} deleted: {changes.run_key}")
    request = dg.RunRequest(
        run_key=changes.run_key,
        tags={"raw/new_or_changed": str(len(changes.added)), "raw/deleted": str(len(changes.removed))},
    )
    return dg.SensorResult(run_requests=[request], cursor=new_cursor)
