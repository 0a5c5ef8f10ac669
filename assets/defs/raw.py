"""Layer `raw`: the files landed in `data/raw/` (never modified by the pipeline)."""

import dagster as dg
import polars as pl

from assets.lib.batch_parsing import DEFAULT_MAX_FILE_BYTES
from assets.lib.duckdb_ops import POOL
from assets.lib.manifest import conform, present_files, scan, scan_summary
from assets.lib.sensing import SETTLE_SECONDS
from assets.lib.storage import DataPaths, DuckDBWarehouse
from assets.lib.ui_metadata import frame_metadata
from pipeline.batch_store import write_parquet_atomic


class ScanConfig(dg.Config):
    allow_empty_raw_dir: bool = False  # accept a scan that finds no file at all where files were before
    settle_seconds: float = SETTLE_SECONDS  # a file modified more recently may still be being written: pending
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES  # a larger file is refused as `too_large`, never read


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
        result = scan(paths.raw, previous, settle_seconds=config.settle_seconds, max_bytes=config.max_file_bytes)
        manifest, hashed = result.manifest, result.hashed
        emptied = previous is not None and present_files(previous).height and not present_files(manifest).height
        if emptied and not config.allow_empty_raw_dir:
            raise dg.Failure(
                    f"{paths.raw} is empty but held {present_files(previous).height} files: an unmounted disk? "
                    "Nothing was changed; set allow_empty_raw_dir to record them all as deleted."
                )
        write_parquet_atomic(manifest, paths.manifest)
    summary = {**scan_summary(previous, manifest), "pending_files": len(result.pending)}
    context.log.info(f"{summary['files_present']} files in {paths.raw}: {summary['new_or_changed_files']} new or "
                     f"changed, {summary['removed_files']} deleted or replaced, {hashed} read to hash, "
                     f"{result.refused} refused before parsing, {len(result.pending)} pending")
    if result.pending:
        shown = ", ".join(result.pending[:10]) + (" …" if len(result.pending) > 10 else "")
        context.log.warning(f"{len(result.pending)} files modified less than {config.settle_seconds:g} s ago may "
                            f"still be being written: left for the next run ({shown})")
    return dg.MaterializeResult(
        metadata={
            **frame_metadata(manifest),
            **summary,
            "hashed_files": hashed,
            "pending": dg.MetadataValue.json(result.pending[:100]),
            "raw_dir": dg.MetadataValue.path(str(paths.raw)),
            "dagster/uri": dg.MetadataValue.path(str(paths.manifest)),
        }
    )
