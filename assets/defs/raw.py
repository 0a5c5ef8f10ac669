"""Layer `raw`: the files landed in `data/raw/` (never modified by the pipeline)."""

import dagster as dg
import polars as pl

from assets.lib.manifest import scan_raw_dir
from assets.lib.metadata import frame_metadata
from assets.lib.resources import DataPaths
from pipeline.export import write_parquet_atomic


@dg.asset(key=["raw", "report_files"], group_name="raw", kinds={"polars", "parquet"})
def report_files(context: dg.AssetExecutionContext, paths: DataPaths) -> dg.MaterializeResult:
    """Manifest of the landed report files: path (relative to the raw directory), sha256, size and
    when each was first seen. Unchanged files keep their hash without being read again."""
    previous = pl.read_parquet(paths.manifest) if paths.manifest.exists() else None
    manifest = scan_raw_dir(paths.raw, previous)
    write_parquet_atomic(manifest, paths.manifest)
    new = manifest.height if previous is None else manifest.join(previous, on=["path", "sha256"], how="anti").height
    context.log.info(f"{manifest.height} files in {paths.raw}, {new} new or changed")
    return dg.MaterializeResult(
        metadata={
            **frame_metadata(manifest),
            "new_or_changed_files": new,
            "distinct_contents": manifest["sha256"].n_unique(),
            "raw_dir": dg.MetadataValue.path(str(paths.raw)),
            "dagster/uri": dg.MetadataValue.path(str(paths.manifest)),
        }
    )
