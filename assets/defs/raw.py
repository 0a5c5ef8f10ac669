"""Layer `raw`: the files landed in `data/raw/` (never modified by the pipeline)."""

import dagster as dg
import polars as pl

from assets.lib.manifest import conform, present_files, scan, scan_summary
from assets.lib.metadata import frame_metadata
from assets.lib.resources import DataPaths, DuckDBWarehouse
from pipeline.export import write_parquet_atomic

POOL = "duckdb_write"  # writes the warehouse's state: one run at a time (see config/dagster.yaml)


class ScanConfig(dg.Config):
    allow_empty_raw_dir: bool = False  # accept a scan that finds no file at all where files were before


@dg.asset(key=["raw", "report_files"], group_name="raw", kinds={"polars", "parquet"}, pool=POOL)
def report_files(
    context: dg.AssetExecutionContext, config: ScanConfig, paths: DataPaths, warehouse: DuckDBWarehouse
) -> dg.MaterializeResult:
    """Manifest of the landed report files: one row per (path, content) ever seen, with sha256, size, when
    it was first seen and, once the file was deleted or overwritten, `deleted_at`. Unchanged files keep
    their hash without being read again."""
    if not paths.raw.is_dir():
        raise dg.Failure(f"the raw directory {paths.raw} does not exist (RAW_DIR): nothing was changed")
    with warehouse.lock():
        previous = conform(pl.read_parquet(paths.manifest)) if paths.manifest.exists() else None
        manifest, hashed = scan(paths.raw, previous)
        emptied = previous is not None and present_files(previous).height and not present_files(manifest).height
        if emptied and not config.allow_empty_raw_dir:
            raise dg.Failure(
                    f"{paths.raw} is empty but held {present_files(previous).height} files: an unmounted disk? "
                    "Nothing was changed; set allow_empty_raw_dir to record them all as deleted."
                )
        write_parquet_atomic(manifest, paths.manifest)
    summary = scan_summary(previous, manifest)
    context.log.info(f"{summary['files_present']} files in {paths.raw}: {summary['new_or_changed_files']} new or "
                     f"changed, {summary['removed_files']} deleted or replaced, {hashed} read to hash")
    return dg.MaterializeResult(
        metadata={
            **frame_metadata(manifest),
            **summary,
            "hashed_files": hashed,
            "raw_dir": dg.MetadataValue.path(str(paths.raw)),
            "dagster/uri": dg.MetadataValue.path(str(paths.manifest)),
        }
    )
