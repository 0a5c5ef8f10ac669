"""Layer `publish`: the last step of a run, which makes the build file the analysts' warehouse.

Every asset of a run writes the build file (`DuckDBWarehouse.connect()`); `publish/warehouse` checks it
and atomically replaces the published file (data/warehouse/warehouse.duckdb) with a copy of it
(`assets/lib/atomic_publish.py`). It depends on **every asset whose kinds include `duckdb`**, found in the loaded
definitions (`with_publish`, called by `assets/definitions.py`), so an asset added later (a new SQL mart,
the `COMMENT ON` docs, a chart that reads the warehouse) runs before it without anyone listing it here:
an asset that writes or reads the DuckDB file must say `kinds={"duckdb", ...}` (and `pool="duckdb_write"`).

If any of them fails, Dagster skips this step and analysts keep the last good warehouse.

A run that changes the build without publishing (one asset materialized in the UI) is published by the
sensor `publish_after_build` (on by default, needs the daemon: `make ui`, `make daemon`): the publish asset's
automation condition asks for a run once a dependency was updated by a run that did not publish, when no
dependency is in progress or failed in its latest run (a half-built build is never published).
"""


from datetime import timedelta

import dagster as dg
import polars as pl

from assets.defs.automation import TIMEZONE
from assets.defs.failure_alerts import marker_path
from assets.lib.atomic_publish import PublishError, publish, remove_stale_temporaries
from assets.lib.duckdb_ops import POOL
from assets.lib.storage import DuckDBWarehouse
from assets.lib.ui_metadata import frame_metadata

PUBLISH_KEY = dg.AssetKey(["publish", "warehouse"])
PUBLISH_SENSOR = "publish_after_build"
# The nightly run starts at 02:00 (Asia/Shanghai) and publishes minutes later: a publish is expected between
# 02:00 and 04:00 every day, and the UI shows the warehouse as late (freshness FAIL) when none came.
FRESHNESS_DEADLINE = "0 4 * * *"
FRESHNESS = dg.FreshnessPolicy.cron(deadline_cron=FRESHNESS_DEADLINE, lower_bound_delta=timedelta(hours=2),
                                    timezone=TIMEZONE)

# Publish once a dependency was updated by a run that did not publish it (`any_deps_updated` ignores the
# deps of a run that also runs publish), never while a dependency is missing, running, or failed its last run.
PUBLISH_CONDITION = (
    dg.AutomationCondition.any_deps_updated().since_last_handled()
    & ~dg.AutomationCondition.any_deps_missing()
    & ~dg.AutomationCondition.any_deps_in_progress()
    & ~dg.AutomationCondition.any_deps_match(dg.AutomationCondition.execution_failed())
    & ~dg.AutomationCondition.in_progress()
).with_label("build changed without a publish")


def writes_duckdb(spec: dg.AssetSpec) -> bool:
    return "duckdb" in spec.kinds and spec.key != PUBLISH_KEY


def publish_asset(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISH_KEY,
        group_name="publish",
        kinds={"duckdb"},
        deps=deps,
        pool=POOL,
        automation_condition=PUBLISH_CONDITION,
        freshness_policy=FRESHNESS,
        description=(
            "Checks the build file (data/warehouse/build/warehouse.duckdb) and atomically replaces the "
            "published warehouse (data/warehouse/warehouse.duckdb, what analysts open read-only) with a copy "
            "of it. Runs after every asset of kind duckdb; if one fails, or a check here fails, analysts keep "
            "the last good warehouse. Expected every night between 02:00 and 04:00 Asia/Shanghai (freshness). "
            "After a run that changed the build without publishing (one asset "
            f"materialized here), the sensor `{PUBLISH_SENSOR}` publishes it: until then analysts see the last "
            "publish (this asset shows as having newer upstream data)."
        ),
    )
    def publish_warehouse(context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
        with warehouse.lock():
            warehouse.release()  # publish opens, checkpoints and copies the build file with no connection of ours
            leftovers = remove_stale_temporaries(warehouse.published_path)
            try:
                result = publish(warehouse.build_path, warehouse.published_path)
            except PublishError as exc:
                raise dg.Failure(
                    description=str(exc),
                    metadata={"problems": dg.MetadataValue.md("\n".join(f"* {p}" for p in exc.problems))},
                ) from exc
        marker_path(warehouse.published_path).unlink(missing_ok=True)  # a good warehouse again: no failure to show
        context.log.info(f"published {result.published} ({result.size_bytes:,} bytes, {result.reports} reports)")
        tables = pl.DataFrame(
            {"table": list(result.tables), "rows": list(result.tables.values())},
            schema={"table": pl.String, "rows": pl.Int64},
        )
        return dg.MaterializeResult(
            metadata={
                **frame_metadata(tables),
                "dagster/row_count": dg.MetadataValue.int(result.reports),
                "tables": dg.MetadataValue.md(
                    "\n".join(["| table | rows |", "|---|---|", *(f"| {t} | {n:,} |" for t, n in tables.iter_rows())])
                ),
                "dagster/uri": dg.MetadataValue.path(str(result.published)),
                "build_file": dg.MetadataValue.path(str(warehouse.build_path)),
                "size_bytes": dg.MetadataValue.int(result.size_bytes),
                "stale_temporaries_removed": dg.MetadataValue.int(leftovers),
            }
        )

    return publish_warehouse


def with_publish(defs: dg.Definitions) -> dg.Definitions:
    """`defs` plus the publish asset, depending on every asset of kind duckdb in `defs`."""
    deps = sorted(
        (spec.key for spec in defs.resolve_all_asset_specs() if writes_duckdb(spec)),
        key=lambda k: k.to_user_string(),
    )
    sensor = dg.AutomationConditionSensorDefinition(
        PUBLISH_SENSOR,
        target=dg.AssetSelection.assets(PUBLISH_KEY),
        default_status=dg.DefaultSensorStatus.RUNNING,
        minimum_interval_seconds=30,
        description="Publishes the build file after a run that changed it without publishing (an asset "
        "materialized alone in the UI), once nothing upstream is running or failed.",
    )
    return dg.Definitions.merge(defs, dg.Definitions(assets=[publish_asset(deps)], sensors=[sensor]))
