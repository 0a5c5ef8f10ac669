"""Incremental batch parsing: parse what the manifest has and the Parquet datasets lack.

A content (sha256) is parsed once per parser version. Only contents present in the raw directory now
are parsed: new contents, and contents whose parse is stale (another parser version, or everything with
`force`). The cost of a run is proportional to what is new, not to what is already there.

New contents are parsed on all cores with a time limit per file (`pipeline.worker_pool.parse_paths`), and
written in batches of `batch_size` reports, one Parquet file per dataset and batch. A batch holding a
stale parse of a present content is dropped once the new parse is written; the contents of that batch
whose files are gone from the raw directory (they cannot be parsed again) are first carried into a new
batch as they were, so the history of deleted reports is never lost. A run killed at any point leaves
complete batches (kept: the next run does not parse them again) and at most one incomplete batch
(removed by the next run); the same content in two batches is harmless, because the warehouse reads
one batch per report (`dbt_like_sql/warehouse/dim_report.sql`).

Entries the scan refused (`assets/lib/manifest.py`) are quarantined with their reason without being
opened. A file is parsed only as the scan recorded it: one whose size or mtime moved since (still being
written) is left pending for the next run, and so is one whose parsed bytes hash to another content; a
link that has come to lead out of the raw folder is refused, never opened.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

import polars as pl

from assets.lib.manifest import fs_path, unique_files
from pipeline import PARSER_VERSION
from pipeline import export as ex
from pipeline.worker_pool import parse_paths, prefetch

DEFAULT_TIMEOUT_SECONDS = 300.0  # per file: no file can hang a run
DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024  # larger files are quarantined as `too_large` without being read


@dataclass(frozen=True)
class ParseSummary:
    files_in_manifest: int
    already_parsed: int
    parsed_files: int  # contents read and parsed by this run (reports + quarantined)
    parsed: int
    quarantined: int
    pending: int  # files that changed between the scan and their parse: left for the next run
    carried: int  # contents of deleted files kept from a stale batch
    batches_written: int
    batches_dropped: int

    def as_metadata(self) -> dict[str, int]:
        return {k: int(v) for k, v in self.__dict__.items()}


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(items, size)):
        yield chunk


def new_batch_id(index: int) -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{index:05d}"


def text(value: str) -> str:
    """A string that can be stored (file names and messages may carry undecodable bytes as surrogates)."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def stale_batches(state: pl.DataFrame, present: set[str] | None = None, force: bool = False) -> set[str]:
    """Batches to re-parse: they hold a present content parsed by another parser version (any, with force).

    Without `present`, every content counts as present.
    """
    stale = state if force else state.filter(pl.col("parser_version") != PARSER_VERSION)
    if present is not None:
        stale = stale.filter(pl.col("sha256").is_in(list(present)))
    return set(stale["batch_id"].unique().to_list())


def _carry(parquet_dir: Path, batches: set[str], shas: set[str], batch_id: str) -> int:
    """Copy the rows of `shas` from `batches` into the new batch `batch_id` (as they were parsed).

    A content found in several of these batches (parsed twice by a killed run) is carried once, from
    the latest of them, so the new batch never holds a report twice.
    """
    if not batches or not shas:
        return 0
    wanted = list(shas)
    keys = {dataset: "sha256" if dataset in ex.COMMIT_DATASETS else "report_id" for dataset in ex.DATASETS}
    frames: dict[str, pl.DataFrame] = {}
    for dataset, (folder, schema) in ex.DATASETS.items():
        key = keys[dataset]
        parts = [
            pl.read_parquet(f, schema=schema).filter(pl.col(key).is_in(wanted)).with_columns(_from=pl.lit(b))
            for b in sorted(batches)
            if (f := parquet_dir / folder / f"{b}.parquet").exists()
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
    ex.write_batch(batch, parquet_dir, batch_id)
    return batch["reports"].height + batch["quarantine"].height


def _not_as_scanned(path: Path, root: str | None, size: int, mtime: int) -> str | tuple[str, str] | None:
    """None when the file is still what the scan recorded; "changed" when its size or mtime moved since (it
    is being written: left for the next run); (code, reason) when it may not be read at all: a link now
    leading out of the raw folder, or no longer a regular file. Checked before a file is parsed (with
    `root`) and after a parse that failed (a report is checked by its hash)."""
    try:
        if root is not None:
            real = os.path.realpath(path)
            if real != root and not real.startswith(root.rstrip(os.sep) + os.sep):
                return ("link_outside", f"a symbolic link to {real}, outside the raw folder: nothing outside it is "
                        "read")
        st = os.stat(path)
    except FileNotFoundError:
        return "changed"
    except OSError as exc:
        return ("unreadable", f"cannot be examined ({exc.strerror or exc})")
    if not stat.S_ISREG(st.st_mode):
        return ("not_a_file", "no longer a regular file: not read")
    return None if (st.st_size, st.st_mtime_ns) == (size, mtime) else "changed"


def parse_pending(
    manifest: pl.DataFrame,
    raw_dir: Path,
    parquet_dir: Path,
    *,
    batch_size: int = 1000,
    workers: int | None = None,
    force: bool = False,
    timeout: float | None = DEFAULT_TIMEOUT_SECONDS,
    max_file_bytes: int | None = DEFAULT_MAX_FILE_BYTES,
) -> ParseSummary:
    """Bring the Parquet datasets up to date with the manifest; returns what was done."""
    ex.drop_incomplete_batches(parquet_dir)
    state = ex.parsed_state(parquet_dir)
    files = unique_files(manifest)
    present = set(files["sha256"].to_list())
    dropped = stale_batches(state, present, force)
    is_dropped = pl.col("batch_id").is_in(list(dropped))
    kept = set(state.filter(~is_dropped)["sha256"].to_list())
    in_dropped = set(state.filter(is_dropped)["sha256"].to_list())
    done = set(state.filter(~is_dropped & (pl.col("parser_version") == PARSER_VERSION))["sha256"].to_list())
    carry = in_dropped - present - kept  # parsed contents whose files are gone: keep them as they are

    todo = files.filter(~pl.col("sha256").is_in(list(done)))
    refused_rows = todo.filter(pl.col("refused").is_not_null())
    todo = todo.filter(pl.col("refused").is_null())
    too_large = todo.filter(pl.col("size_bytes") > max_file_bytes) if max_file_bytes else todo.clear()
    todo = todo.join(too_large.select("sha256"), on="sha256", how="anti")
    refused_early = [
        ex.Quarantined(text(p), s, code, reason) for p, s, code, reason in refused_rows.select(
            "path", "sha256", "refused", "reason").rows()
    ] + [
        ex.Quarantined(text(p), s, "too_large", f"{size:,} bytes, more than the limit of {max_file_bytes:,}")
        for p, s, size in too_large.select("path", "sha256", "size_bytes").rows()
    ]
    rows: dict[Path, tuple[str, str, int, int]] = {}  # file to parse → (display path, sha256, size, mtime)
    pending = 0
    root = os.path.realpath(raw_dir)
    for p, h, sha, size, mtime in todo.select("path", "path_hex", "sha256", "size_bytes", "mtime_ns").rows():
        path = fs_path(raw_dir, p, h)
        problem = _not_as_scanned(path, root, size, mtime)
        if problem == "changed":
            pending += 1
        elif problem is not None:
            refused_early.append(ex.Quarantined(text(p), sha, *problem))
        else:
            rows[path] = (p, sha, size, mtime)
    # Parsed ahead in a thread, so the workers keep going while a batch is written.
    results = prefetch(parse_paths(list(rows), workers=workers, transform=ex.report_rows, timeout=timeout),
                       size=batch_size)

    parsed = quarantined = batches = 0
    index = 0
    for index, chunk in enumerate(_chunks(results, batch_size)):
        reports = []
        refused = list(refused_early) if index == 0 else []
        for path, result in chunk:
            display, sha, size, mtime = rows[path]
            parsed_sha = result.report[0] if isinstance(result, ex.ReportRows) else None
            if parsed_sha not in (None, sha) or (parsed_sha is None and _not_as_scanned(path, None, size, mtime)):
                pending += 1  # written to while it was parsed: the next scan sees the new content
            elif isinstance(result, ex.ReportRows):
                reports.append(result.with_file(text(display)))
            else:
                refused.append(ex.Quarantined.from_error(text(display), sha, result))
        refused = [ex.Quarantined(q.path, q.sha256, q.code, text(q.reason)) for q in refused]
        batch_id = new_batch_id(index)
        ex.write_batch(ex.frames(reports, refused, batch_id), parquet_dir, batch_id)
        parsed, quarantined, batches = parsed + len(reports), quarantined + len(refused), batches + 1
    if batches == 0 and refused_early:
        batch_id = new_batch_id(0)
        ex.write_batch(ex.frames([], refused_early, batch_id), parquet_dir, batch_id)
        quarantined, batches = len(refused_early), 1
    carried = _carry(parquet_dir, dropped, carry, new_batch_id(index + 1))
    batches += bool(carried)
    ex.drop_batches(parquet_dir, dropped)
    ex.ensure_datasets(parquet_dir)
    return ParseSummary(
        files_in_manifest=manifest.height,
        already_parsed=len(done & present),
        parsed_files=parsed + quarantined,
        parsed=parsed,
        quarantined=quarantined,
        pending=pending,
        carried=carried,
        batches_written=batches,
        batches_dropped=len(dropped),
    )
