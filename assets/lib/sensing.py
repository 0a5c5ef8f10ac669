"""What the new-file sensor looks at: the raw directory's `stat`s against the last manifest (no file is read).

A file is *settled* when it has not been modified for `settle_seconds` (a crawler may still be writing a
younger one). The changes are the settled files whose (path, size, mtime) the manifest does not have,
and the manifest's present files that are no longer there. The run key is a hash of that change set,
so the same pending change never requests two runs; the cursor is a hash of the settled listing, so an
unchanged directory costs one walk and no manifest read.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from assets.lib.manifest import conform, present_files, stat_raw_dir

# A file modified less than this long ago may still be being written: the sensor waits for a later tick,
# and the scan of every run (the schedule, `make run`, the UI) leaves it pending.
SETTLE_SECONDS = float(os.environ.get("RAW_SETTLE_SECONDS", "30"))


@dataclass(frozen=True)
class RawChanges:
    fingerprint: str  # hash of the settled listing (the sensor's cursor)
    added: list[str]  # settled files new or changed since the manifest
    removed: list[str]  # files of the manifest that are gone
    landing: int  # files younger than the settle time, left for a later tick

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)

    @property
    def run_key(self) -> str:
        listing = "\n".join([*(f"+{p}" for p in self.added), *(f"-{p}" for p in self.removed)])
        return "raw-" + hashlib.sha256(listing.encode("utf-8")).hexdigest()[:24]


def _fingerprint(frame: pl.DataFrame) -> str:
    digest = hashlib.sha256()
    for path, size, mtime in frame.select("path", "size_bytes", "mtime_ns").sort("path").iter_rows():
        digest.update(f"{path}\0{size}\0{mtime}\n".encode())
    return digest.hexdigest()


def settled_listing(
    raw_dir: Path, settle_seconds: float, now: float | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(stats of every file, stats of the settled files)."""
    now = time.time() if now is None else now
    listing = stat_raw_dir(raw_dir)
    return listing, listing.filter(pl.col("mtime_ns") <= int((now - settle_seconds) * 1e9))


def raw_changes(
    raw_dir: Path, manifest_path: Path, settle_seconds: float = 30.0, previous_fingerprint: str | None = None,
    now: float | None = None,
) -> RawChanges:
    """The changes of raw_dir since the manifest (empty when the fingerprint equals `previous_fingerprint`)."""
    listing, settled = settled_listing(raw_dir, settle_seconds, now)
    landing = listing.height - settled.height
    fingerprint = _fingerprint(settled)
    if fingerprint == previous_fingerprint:
        return RawChanges(fingerprint, [], [], landing)
    manifest = present_files(conform(pl.read_parquet(manifest_path) if manifest_path.exists() else None))
    added = settled.join(manifest, on=["path", "size_bytes", "mtime_ns"], how="anti")["path"].sort().to_list()
    removed = manifest.filter(~pl.col("path").is_in(listing["path"].to_list()))["path"].unique().sort().to_list()
    return RawChanges(fingerprint, added, removed, landing)
