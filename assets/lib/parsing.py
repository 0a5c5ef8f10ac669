"""Incremental batch parsing: parse what the manifest has and the Parquet datasets lack.

A file is parsed once per content hash and parser version. New contents are parsed on all cores
(`pipeline.batch.parse_paths`) and written in batches of `batch_size` reports, one Parquet file per
dataset and batch. Batches written by another parser version (or all of them, with `force`) are
dropped and their files parsed again. 100,000 files are 100 batches, not 100,000 partitions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import polars as pl

from assets.lib.manifest import unique_files
from pipeline import PARSER_VERSION, Report
from pipeline import export as ex
from pipeline.batch import parse_paths


@dataclass(frozen=True)
class ParseSummary:
    files_in_manifest: int
    already_parsed: int
    parsed: int
    quarantined: int
    batches_written: int
    batches_dropped: int

    def as_metadata(self) -> dict[str, int]:
        return {k: int(v) for k, v in self.__dict__.items()}


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(items, size)):
        yield chunk


def new_batch_id(index: int) -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{index:05d}"


def stale_batches(state: pl.DataFrame, force: bool = False) -> set[str]:
    """Batches to re-parse: written by another parser version, or every batch when forced."""
    stale = state if force else state.filter(pl.col("parser_version") != PARSER_VERSION)
    return set(stale["batch_id"].unique().to_list())


def parse_pending(
    manifest: pl.DataFrame,
    raw_dir: Path,
    parquet_dir: Path,
    *,
    batch_size: int = 1000,
    workers: int | None = None,
    force: bool = False,
) -> ParseSummary:
    """Bring the Parquet datasets up to date with the manifest; returns what was done."""
    ex.drop_incomplete_batches(parquet_dir)
    state = ex.parsed_state(parquet_dir)
    dropped = stale_batches(state, force)
    ex.drop_batches(parquet_dir, dropped)
    done = set(state.filter(~pl.col("batch_id").is_in(list(dropped)))["sha256"].to_list())

    todo = unique_files(manifest).filter(~pl.col("sha256").is_in(list(done)))
    sha_of = {raw_dir / p: s for p, s in zip(todo["path"], todo["sha256"], strict=True)}
    results = parse_paths(list(sha_of), workers=workers)

    parsed = quarantined = batches = 0
    for index, chunk in enumerate(_chunks(results, batch_size)):
        reports = [r for _, r in chunk if isinstance(r, Report)]
        refused = [
            ex.Quarantined.from_error(path.relative_to(raw_dir).as_posix(), sha_of[path], r)
            for path, r in chunk
            if not isinstance(r, Report)
        ]
        batch_id = new_batch_id(index)
        ex.write_batch(ex.frames(reports, refused, batch_id), parquet_dir, batch_id)
        parsed, quarantined, batches = parsed + len(reports), quarantined + len(refused), batches + 1
    ex.ensure_datasets(parquet_dir)
    return ParseSummary(
        files_in_manifest=manifest.height,
        already_parsed=len(done),
        parsed=parsed,
        quarantined=quarantined,
        batches_written=batches,
        batches_dropped=len(dropped),
    )
