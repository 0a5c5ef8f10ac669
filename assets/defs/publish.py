"""Layer `publish`: the last step of a run, which makes the build file the analysts' warehouse.

Every asset of a run writes the build file (`DuckDBWarehouse.connect()`); `publish/warehouse` checks it
and atomically replaces the published file (data/warehouse/warehouse.duckdb) with a copy of it
(`assets/lib/atomic_publish.py`). It depends on **every asset whose kinds include `duckdb`**, found in the loaded
definitions (`with_publish`, called by `assets/definitions.py`), so an asset added later (a new SQL mart,
the `COMMENT ON` docs, a chart that reads the warehouse) runs before it without anyone listing it here:
an asset that writes or reads the DuckDB file must say `kinds={"duckdb", ...}` (and `pool="duckdb_write"`).

If any of them fails, Dagster skips this step and analysts keep the last good warehouse.
"""


import dagster as dg
import polars as pl

from assets.lib.atomic_publish import PublishError, publish, remove_stale_temporaries
from assets.lib.duckdb_ops import POOL
from assets.lib.storage import DuckDBWarehouse
from assets.lib.ui_metadata import frame_metadata

PUBLISH_KEY = dg.AssetKey(["publish", "warehouse"])


def writes_duckdb(spec: dg.AssetSpec) -> bool:
    return "duckdb" in spec.kinds and spec.key != PUBLISH_KEY


def publish_asset(deps: list[dg.AssetKey]) -> dg.AssetsDefinition:
    @dg.asset(
        key=PUBLISH_KEY,
        group_name="publish",
        kinds={"duckdb"},
        deps=deps,
        pool=POOL,
        description=(
            "Checks the build file (data/warehouse/build/warehouse.duckdb) and atomically replaces the "
            "published warehouse (data/warehouse/warehouse.duckdb, what analysts open read-only) with a copy "
            "of it. Runs after every asset of kind duckdb; if one fails, or a check here fails, analysts keep "
            "the last good warehouse."
        ),
    )
    def publish_warehouse(context: dg.AssetExecutionContext, warehouse: DuckDBWarehouse) -> dg.MaterializeResult:
        with warehouse.lock():
            leftovers = remove_stale_temporaries(warehouse.published_path)
            try:
                result = publish(warehouse.build_path, warehouse.published_path)
            except PublishError as exc:
                raise dg.Failure(
                    description=str(exc),
                    metadata={"problems": dg.MetadataValue.md("\n".join(f"* {p}" for p in exc.problems))},
                ) from exc
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
    return dg.Definitions.merge(defs, dg.Definitions(assets=[publish_asset(deps)]))
