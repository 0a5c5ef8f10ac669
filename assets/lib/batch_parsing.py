"""Incremental batch parsing: parse what the manifest has and the Parquet batch store lacks.

The store's rules (what is done, which batches are stale, what is carried out of them, complete and
incomplete batches) are `pipeline.batch_store`'s; this module feeds it. Only contents present in the raw
directory now are parsed: new contents, and contents whose parse is stale. The cost of a run is
proportional to what is new, not to what is already there.

New contents are parsed on all cores with a time limit per file (`pipeline.worker_pool.parse_paths`),
and written in batches of `batch_size` reports, one Parquet file per dataset and batch. A run killed at
any point leaves complete batches (kept: the next run does not parse them again) and at most one
incomplete batch (removed by the next run).

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
from itertools import islice
from pathlib import Path

import polars as pl

from assets.lib.heap import frozen_heap
from assets.lib.manifest import fs_path, unique_files
from pipeline import batch_store as store
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
    refusals: tuple[tuple[str, str, str], ...] = ()  # (file, code, reason) of the files this run refused

    def as_metadata(self) -> dict[str, int]:
        return {k: int(v) for k, v in self.__dict__.items() if k != "refusals"}


def _chunks(items: Iterator, size: int) -> Iterator[list]:
    while chunk := list(islice(items, size)):
        yield chunk


def text(value: str) -> str:
    """A string that can be stored (file names and messages may carry undecodable bytes as surrogates)."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _realpath(path: Path, folders: dict[str, str]) -> str:
    """`os.path.realpath(path)`, resolving each folder once (`folders` caches them): a file that is not itself a
    link is its folder's real path plus its name. realpath walks every component with an lstat each: done for
    each of 100,000 files before the first was parsed, that was 3-4 s with the workers idle."""
    text = os.fspath(path)
    if os.path.islink(text):
        return os.path.realpath(text)
    parent, name = os.path.split(text)
    real = folders.get(parent)
    if real is None:
        real = folders[parent] = os.path.realpath(parent)
    return os.path.join(real, name)


def _not_as_scanned(path: Path, root: str | None, size: int, mtime: int,
                    folders: dict[str, str] | None = None) -> str | tuple[str, str] | None:
    """None when the file is still what the scan recorded; "changed" when its size or mtime moved since (it
    is being written: left for the next run); (code, reason) when it may not be read at all: a link now
    leading out of the raw folder, or no longer a regular file. Checked before a file is parsed (with
    `root`) and after a parse that failed (a report is checked by its hash)."""
    try:
        if root is not None:
            real = _realpath(path, {} if folders is None else folders)
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
    """Bring the Parquet datasets up to date with the manifest; returns what was done.

    The objects that exist before the parse (in a Dagster run: Dagster's whole heap) are frozen out of the
    garbage collector meanwhile (`assets/lib/heap.py`): the parse allocates millions of rows, and each full
    collection walked that heap again (gen-2 collections of a 10k run: 0.80 s → 0.43 s).
    """
    with frozen_heap():
        return _parse_pending(manifest, raw_dir, parquet_dir, batch_size=batch_size, workers=workers, force=force,
                              timeout=timeout, max_file_bytes=max_file_bytes)


def _parse_pending(
    manifest: pl.DataFrame,
    raw_dir: Path,
    parquet_dir: Path,
    *,
    batch_size: int,
    workers: int | None,
    force: bool,
    timeout: float | None,
    max_file_bytes: int | None,
) -> ParseSummary:
    store.drop_incomplete_batches(parquet_dir)
    files = unique_files(manifest)
    present = set(files["sha256"].to_list())
    plan = store.plan(store.parsed_state(parquet_dir), present, force)

    todo = files.filter(~pl.col("sha256").is_in(list(plan.done)))
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
    folders: dict[str, str] = {}
    for p, h, sha, size, mtime in todo.select("path", "path_hex", "sha256", "size_bytes", "mtime_ns").rows():
        path = fs_path(raw_dir, p, h)
        problem = _not_as_scanned(path, root, size, mtime, folders)
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
    refusals: list[tuple[str, str, str]] = []
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
        refusals += [(q.path, q.code, q.reason) for q in refused]
        batch_id = store.new_batch_id(index)
        store.write_batch(ex.frames(reports, refused, batch_id), parquet_dir, batch_id)
        parsed, quarantined, batches = parsed + len(reports), quarantined + len(refused), batches + 1
    if batches == 0 and refused_early:
        batch_id = store.new_batch_id(0)
        store.write_batch(ex.frames([], refused_early, batch_id), parquet_dir, batch_id)
        quarantined, batches = len(refused_early), 1
        refusals = [(q.path, q.code, text(q.reason)) for q in refused_early]
    carried = store.finish(parquet_dir, plan, store.new_batch_id(index + 1))
    batches += bool(carried)
    return ParseSummary(
        files_in_manifest=manifest.height,
        already_parsed=len(plan.done & present),
        parsed_files=parsed + quarantined,
        parsed=parsed,
        quarantined=quarantined,
        pending=pending,
        carried=carried,
        batches_written=batches,
        batches_dropped=len(plan.stale),
        refusals=tuple(refusals),
    )
