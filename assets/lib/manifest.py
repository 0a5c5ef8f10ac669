"""The raw file manifest: every landed file with its content hash, size and when it was first seen.

Rescanning is incremental: a file whose (path, size, mtime) did not change keeps its hash and is not
read again, so a rescan of 100,000 files costs a `stat` each. New files are hashed on a thread pool
(hashlib releases the GIL).
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipeline.batch import list_report_files

MANIFEST_SCHEMA = pl.Schema(
    {
        "path": pl.String,  # relative to the raw directory, POSIX separators
        "sha256": pl.String,
        "size_bytes": pl.Int64,
        "mtime_ns": pl.Int64,
        "first_seen": pl.Datetime("us", "UTC"),
    }
)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def scan_raw_dir(raw_dir: Path, previous: pl.DataFrame | None = None, now: datetime | None = None) -> pl.DataFrame:
    """List every (non-hidden) file under raw_dir; reuse hashes and first_seen from `previous`."""
    now = now or datetime.now(UTC)
    files = list_report_files(raw_dir) if raw_dir.exists() else []
    stats = [f.stat() for f in files]
    current = pl.DataFrame(
        {
            "path": [f.relative_to(raw_dir).as_posix() for f in files],
            "size_bytes": [s.st_size for s in stats],
            "mtime_ns": [s.st_mtime_ns for s in stats],
        },
        schema={"path": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64},
    )
    if previous is None:
        previous = pl.DataFrame(schema=MANIFEST_SCHEMA)
    known = current.join(
        previous.select("path", "size_bytes", "mtime_ns", "sha256"),
        on=["path", "size_bytes", "mtime_ns"],
        how="left",
    )
    to_hash = known.filter(pl.col("sha256").is_null())["path"].to_list()
    with ThreadPoolExecutor(max_workers=8) as pool:
        hashes = dict(zip(to_hash, pool.map(lambda p: sha256_of(raw_dir / p), to_hash), strict=True))
    hashed = known.with_columns(
        sha256=pl.coalesce("sha256", pl.col("path").replace_strict(hashes, default=None, return_dtype=pl.String))
    )
    return (
        hashed.join(previous.select("path", "sha256", "first_seen"), on=["path", "sha256"], how="left")
        .with_columns(pl.col("first_seen").fill_null(pl.lit(now, dtype=MANIFEST_SCHEMA["first_seen"])))
        .select(MANIFEST_SCHEMA.names())
        .cast(dict(MANIFEST_SCHEMA))
        .sort("path")
    )


def unique_files(manifest: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct content (sha256): the first path in sort order stands for its copies."""
    return manifest.sort("path").unique("sha256", keep="first", maintain_order=True)
