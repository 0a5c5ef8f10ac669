"""Layer `parsed`: the reports parsed on all cores into Parquet datasets (long format).

One step brings every dataset up to date with the manifest (only new contents, or everything after
a parser-version change) in batches of 1,000 reports: 100,000 files are 100 batches, not 100,000
partitions. Each dataset is its own asset, so the warehouse tables show their lineage to it.
"""

import dagster as dg
import polars as pl

from assets.lib.batch_parsing import DEFAULT_TIMEOUT_SECONDS, parse_pending
from assets.lib.duckdb_ops import POOL
from assets.lib.storage import DataPaths, DuckDBWarehouse
from assets.lib.summary import counted
from assets.lib.ui_metadata import frame_metadata
from pipeline import PARSER_VERSION
from pipeline import batch_store as store

DESCRIPTIONS = {
    "reports": "One row per parsed report (report_id = sha256): metadata, template, encoding, parser version.",
    "findings": "Every finding of every report (severity, code, message, cell, source line).",
    "checks": "Every accounting-identity evaluation (spec §7) of every report.",
    "quarantine": "Files the parser refused (empty, binary, undecodable, not a report, too large, timed out), "
    "with the reason.",
}
TABLE_DESCRIPTION = (
    "Cells of table `{table}`, long format: report_id, table_key, template, row_key, column_key, "
    "value, value_is_integer, raw, unit, label_inferred, line, provenance."
)


def dataset_key(dataset: str) -> dg.AssetKey:
    return dg.AssetKey(["parsed", "identity_checks" if dataset == "checks" else dataset])


SHOWN_REFUSALS = 20  # refused files named in the run's log, one line each (all are in the quarantine table)


class ParseConfig(dg.Config):
    force_reparse: bool = False  # parse every file again, even when its content and parser are unchanged
    batch_size: int = 1000  # reports per Parquet file
    workers: int | None = None  # parser processes (default: all cores)
    file_timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS  # a file that takes longer is quarantined (parse_timeout)


@dg.multi_asset(
    name="parsed_datasets",
    specs=[
        dg.AssetSpec(
            dataset_key(dataset),
            group_name="parsed",
            kinds={"python", "polars", "parquet"},
            deps=[dg.AssetKey(["raw", "report_files"])],
            description=DESCRIPTIONS.get(dataset) or TABLE_DESCRIPTION.format(table=dataset),
            code_version=PARSER_VERSION,  # a new parser version re-parses: the UI shows the data as stale
        )
        for dataset in store.DATASETS
    ],
    pool=POOL,
)
def parsed_datasets(
    context: dg.AssetExecutionContext, config: ParseConfig, paths: DataPaths, warehouse: DuckDBWarehouse
):
    """Parse the new, changed or stale report files of the manifest into the Parquet datasets."""
    with warehouse.lock():
        summary = parse_pending(
            pl.read_parquet(paths.manifest),
            paths.raw,
            paths.parquet,
            batch_size=config.batch_size,
            workers=config.workers,
            force=config.force_reparse,
            timeout=config.file_timeout_seconds,
        )
    context.log.info(
        f"parsed {counted(summary.parsed_files, 'file')} (parser {PARSER_VERSION}): "
        f"{counted(summary.parsed, 'report')}, "
        f"{summary.quarantined} refused by this run; {summary.already_parsed} already parsed"
        + (f", {summary.pending} changed while being read (next run)" if summary.pending else "")
    )
    for path, code, reason in summary.refusals[:SHOWN_REFUSALS]:
        context.log.warning(f"refused {path}: {code}: {reason}")
    if len(summary.refusals) > SHOWN_REFUSALS:
        context.log.warning(f"… and {len(summary.refusals) - SHOWN_REFUSALS} more refused (table quarantine)")
    for dataset in store.DATASETS:
        extra = summary.as_metadata() if dataset == "reports" else {}
        yield dg.MaterializeResult(
            asset_key=dataset_key(dataset),
            metadata={
                **frame_metadata(store.read_dataset(paths.parquet, dataset), f"loaded.{dataset}"),
                "dagster/uri": dg.MetadataValue.path(str(store.dataset_dir(paths.parquet, dataset))),
                "parser_version": PARSER_VERSION,
                **extra,
            },
        )
