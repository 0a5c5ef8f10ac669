"""The Parquet batch store: every rule about the batches the parser's output is kept in.

Pure library code (no Dagster). Layout under a Parquet root (one dataset = one folder, one file per
batch)::

    reports/<batch>.parquet             one row per report (report_id = sha256 of the raw bytes)
    cells/<table>/<batch>.parquet       one dataset per extracted table, long format
    findings/<batch>.parquet            every finding of every report
    checks/<batch>.parquet              every accounting-identity evaluation (spec §7)
    quarantine/<batch>.parquet          files that are not usable reports (ParseError)

The rules:

* a batch is written one file per dataset, `reports` and then `quarantine` last: a batch without its
  quarantine file is incomplete (an interrupted run) and is removed by `drop_incomplete_batches`;
* a content (sha256) is parsed once per parser version: the parsed state (`parsed_state`) says which
  batch holds which content, parsed by which version;
* a batch holding a stale parse (another parser version, or any with `force`) of a content present in
  the raw folder is dropped once the new parse is written; its contents whose files are gone (they
  cannot be parsed again) are first carried into a new batch as they were (`finish`), so the history
  of deleted reports is never lost;
* the same content in two batches is harmless: the warehouse reads one batch per report
  (`dbt_like_sql/warehouse/dim_report.sql`);
* batch ids sort in the order the batches were written (`new_batch_id`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipeline.export import (
    CELL_TABLES,
    CELLS_SCHEMA,
    CHECKS_SCHEMA,
    FINDINGS_SCHEMA,
    QUARANTINE_SCHEMA,
    REPORTS_SCHEMA,
)
from pipeline.model import PARSER_VERSION

# dataset name → (folder relative to the Parquet root, schema)
DATASETS: dict[str, tuple[str, pl.Schema]] = {
    "reports": ("reports", REPORTS_SCHEMA),
    **{table: (f"cells/{table}", CELLS_SCHEMA) for table in CELL_TABLES},
    "findings": ("findings", FINDINGS_SCHEMA),
    "checks": ("checks", CHECKS_SCHEMA),
    "quarantine": ("quarantine", QUARANTINE_SCHEMA),
}
COMMIT_DATASETS = ("reports", "quarantine")  # written last; their batch ids mark complete batches
EMPTY_FILE = "empty.parquet"  # a zero-row file so every dataset can be globbed before the first batch


def dataset_dir(root: Path, dataset: str) -> Path:
    """The folder of one dataset: one file per batch."""
    return Path(root) / DATASETS[dataset][0]


def write_parquet_atomic(df: pl.DataFrame, path: Path) -> None:
    """Write to a hidden temporary file, then rename: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    df.write_parquet(tmp, compression="zstd", statistics=True)
    os.replace(tmp, path)


def write_batch(batch: dict[str, pl.DataFrame], root: Path, batch_id: str) -> None:
    """Write one batch: one file per dataset, even when empty; the commit datasets last."""
    order = [d for d in DATASETS if d not in COMMIT_DATASETS] + list(COMMIT_DATASETS)
    for dataset in order:
        df = batch[dataset].select(DATASETS[dataset][1].names())
        write_parquet_atomic(df, dataset_dir(root, dataset) / f"{batch_id}.parquet")


def ensure_datasets(root: Path) -> None:
    """Give every dataset at least one (empty) file, so readers can glob it before any batch."""
    for dataset, (_, schema) in DATASETS.items():
        folder = dataset_dir(root, dataset)
        if not any(folder.glob("*.parquet")):
            write_parquet_atomic(pl.DataFrame(schema=schema), folder / EMPTY_FILE)


def read_dataset(root: Path, dataset: str) -> pl.LazyFrame:
    """The whole dataset as a LazyFrame (empty, with the schema, when nothing is written yet)."""
    schema = DATASETS[dataset][1]
    files = sorted(dataset_dir(root, dataset).glob("*.parquet"))
    if not files:
        return pl.LazyFrame(schema=schema)
    return pl.scan_parquet(files, schema=schema)


def parsed_state(root: Path) -> pl.DataFrame:
    """What is already parsed: sha256, batch_id, parser_version of every report and quarantined file."""
    reports = read_dataset(root, "reports").select(pl.col("sha256"), pl.col("batch_id"), pl.col("parser_version"))
    quarantine = read_dataset(root, "quarantine").select(pl.col("sha256"), pl.col("batch_id"), pl.col("parser_version"))
    return pl.concat([reports, quarantine]).collect()


def batch_ids_on_disk(root: Path) -> set[str]:
    """Every batch with at least one file, complete or not."""
    ids = set()
    for dataset in DATASETS:
        ids |= {p.stem for p in dataset_dir(root, dataset).glob("*.parquet")}
    return ids - {Path(EMPTY_FILE).stem}


def drop_batches(root: Path, batch_ids: Iterable[str]) -> int:
    """Delete every file of the given batches from every dataset; returns the number of files."""
    removed = 0
    for batch_id in set(batch_ids):
        for dataset in DATASETS:
            path = dataset_dir(root, dataset) / f"{batch_id}.parquet"
            if path.exists():
                path.unlink()
                removed += 1
    return removed


def complete_batch_ids(root: Path) -> set[str]:
    """The batches whose last file is written (an interrupted run's partial batch is not among them)."""
    return {p.stem for p in dataset_dir(root, COMMIT_DATASETS[-1]).glob("*.parquet")} - {Path(EMPTY_FILE).stem}


def drop_incomplete_batches(root: Path) -> int:
    """Remove batches an interrupted run left behind: a batch is complete once its last file is written."""
    return drop_batches(root, batch_ids_on_disk(root) - complete_batch_ids(root))


def new_batch_id(index: int) -> str:
    """The id of the index-th batch a run writes: the time first, so ids sort in the order of writing."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{index:05d}"


@dataclass(frozen=True)
class Plan:
    """What a run does to the store, from its parsed state and the contents present in the raw folder."""

    done: set[str]  # contents parsed by this parser version in a batch that stays: not parsed again
    stale: set[str]  # batches to drop once the new parses are written
    carry: set[str]  # contents of stale batches whose files are gone: kept as they were parsed


def plan(state: pl.DataFrame, present: set[str], force: bool = False) -> Plan:
    """Which batches are stale (they hold a present content parsed by another parser version, or any
    with `force`), which contents are done, and which must be carried out of the stale batches."""
    stale_rows = state if force else state.filter(pl.col("parser_version") != PARSER_VERSION)
    stale = set(stale_rows.filter(pl.col("sha256").is_in(list(present)))["batch_id"].unique().to_list())
    is_stale = pl.col("batch_id").is_in(list(stale))
    kept = set(state.filter(~is_stale)["sha256"].to_list())
    in_stale = set(state.filter(is_stale)["sha256"].to_list())
    done = set(state.filter(~is_stale & (pl.col("parser_version") == PARSER_VERSION))["sha256"].to_list())
    return Plan(done=done, stale=stale, carry=in_stale - present - kept)


def carry_over(root: Path, batches: set[str], shas: set[str], batch_id: str) -> int:
    """Copy the rows of `shas` from `batches` into the new batch `batch_id` (as they were parsed);
    returns the number of contents carried.

    A content found in several of these batches (parsed twice by a killed run) is carried once, from
    the latest of them, so the new batch never holds a report twice.
    """
    if not batches or not shas:
        return 0
    wanted = list(shas)
    keys = {dataset: "sha256" if dataset in COMMIT_DATASETS else "report_id" for dataset in DATASETS}
    frames: dict[str, pl.DataFrame] = {}
    for dataset, (folder, schema) in DATASETS.items():
        key = keys[dataset]
        parts = [
            pl.read_parquet(f, schema=schema).filter(pl.col(key).is_in(wanted)).with_columns(_from=pl.lit(b))
            for b in sorted(batches)
            if (f := root / folder / f"{b}.parquet").exists()
        ]
        frames[dataset] = pl.concat(parts) if parts else pl.DataFrame(schema=schema).with_columns(_from=pl.lit(""))
    latest = pl.concat([
        frames["reports"].select(sha=pl.col("report_id"), _from="_from"),
        frames["quarantine"].select(sha=pl.col("sha256"), _from="_from"),
    ]).group_by("sha").agg(pl.col("_from").max())
    batch: dict[str, pl.DataFrame] = {}
    for dataset, frame in frames.items():
        frame = frame.join(latest, left_on=[keys[dataset], "_from"], right_on=["sha", "_from"], how="semi")
        frame = frame.drop("_from")
        if "batch_id" in frame.columns:
            frame = frame.with_columns(batch_id=pl.lit(batch_id))
        batch[dataset] = frame
    write_batch(batch, root, batch_id)
    return batch["reports"].height + batch["quarantine"].height


def finish(root: Path, plan: Plan, batch_id: str) -> int:
    """After a run's new batches are written: carry the gone contents out of the stale batches into
    `batch_id`, drop the stale batches, and leave every dataset globbable; returns the contents carried."""
    carried = carry_over(root, plan.stale, plan.carry, batch_id)
    drop_batches(root, plan.stale)
    ensure_datasets(root)
    return carried
