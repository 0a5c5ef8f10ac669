"""The raw file manifest: every (path, content) ever landed, with its hash, size, and when it came and went.

One row per (path, sha256). A row is *present* while that path holds that content (`deleted_at` null);
when the file is deleted, or overwritten with new content, its row stays with `deleted_at` set, so the
history of what was landed is never lost (the report it held stays in the warehouse's history).

Rescanning is incremental: a file whose (path, size, mtime) did not change keeps its hash and is not
read again, so a rescan of 100,000 files costs a `stat` each. New files are hashed one after the other
(measured: a thread pool was five times slower on small files).

File names that are not valid UTF-8 (e.g. GBK names from an unzipped archive) cannot be stored as text:
their `path` shows them decoded as GB18030 (else with `\\x` escapes) and `path_hex` keeps the exact bytes,
which is what the parser opens (`fs_path`).
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipeline.listing import walk_report_files

MANIFEST_SCHEMA = pl.Schema(
    {
        "path": pl.String,  # relative to the raw directory, POSIX separators (display form, see path_hex)
        "path_hex": pl.String,  # the exact bytes of `path` (hex) when they are not valid UTF-8, else null
        "sha256": pl.String,
        "size_bytes": pl.Int64,
        "mtime_ns": pl.Int64,
        "first_seen": pl.Datetime("us", "UTC"),  # when this path first held this content
        "deleted_at": pl.Datetime("us", "UTC"),  # when it stopped (deleted or overwritten); null while present
    }
)
# A file that exists but cannot be read gets this pseudo hash (retried at every scan): it is quarantined
# with code `unreadable` instead of stopping the scan.
UNREADABLE = "unreadable:"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def display_path(relative: str) -> tuple[str, str | None]:
    """(text stored in the manifest, hex of the raw bytes when the name is not valid UTF-8)."""
    try:
        relative.encode("utf-8")
        return relative, None
    except UnicodeEncodeError:
        raw = os.fsencode(relative)
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            text = raw.decode("utf-8", "backslashreplace")
        return text, raw.hex()


def fs_path(raw_dir: Path, path: str, path_hex: str | None) -> Path:
    """The file on disk for a manifest row."""
    return raw_dir / (os.fsdecode(bytes.fromhex(path_hex)) if path_hex else path)


def _hash_or_marker(path: Path) -> str | None:
    """sha256 of the file; None when it vanished; a pseudo hash when it exists but cannot be read."""
    try:
        return sha256_of(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return UNREADABLE + hashlib.sha256(f"{path}|{exc.errno}".encode("utf-8", "surrogateescape")).hexdigest()


def conform(previous: pl.DataFrame | None) -> pl.DataFrame:
    """A manifest in the current schema (older manifests lack `path_hex` and `deleted_at`)."""
    if previous is None:
        return pl.DataFrame(schema=MANIFEST_SCHEMA)
    missing = [pl.lit(None, dtype=dtype).alias(name) for name, dtype in MANIFEST_SCHEMA.items()
               if name not in previous.columns]
    return previous.with_columns(missing).select(MANIFEST_SCHEMA.names()).cast(dict(MANIFEST_SCHEMA))


def stat_raw_dir(raw_dir: Path) -> pl.DataFrame:
    """path, path_hex, size_bytes, mtime_ns of every (non-hidden) file under raw_dir: one `stat` each."""
    rows = [
        (*display_path(name), st.st_size, st.st_mtime_ns)
        for name, st in (walk_report_files(raw_dir) if raw_dir.is_dir() else ())
    ]
    return pl.DataFrame(
        rows,
        schema={"path": pl.String, "path_hex": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64},
        orient="row",
    )


def scan_raw_dir(raw_dir: Path, previous: pl.DataFrame | None = None, now: datetime | None = None) -> pl.DataFrame:
    """The new manifest: the files under raw_dir now, plus the history of `previous`.

    Hashes and first_seen are reused from `previous` for files whose (path, size, mtime) did not change.
    """
    return scan(raw_dir, previous, now)[0]


def scan(
    raw_dir: Path, previous: pl.DataFrame | None = None, now: datetime | None = None
) -> tuple[pl.DataFrame, int]:
    """(the new manifest, how many files were read to hash them): see `scan_raw_dir`."""
    now = now or datetime.now(UTC)
    previous = conform(previous)
    current = stat_raw_dir(raw_dir)
    present_before = previous.filter(pl.col("deleted_at").is_null())
    known = current.join(
        present_before.select("path", "size_bytes", "mtime_ns", "sha256"),
        on=["path", "size_bytes", "mtime_ns"],
        how="left",
    ).with_columns(  # unreadable files are tried again at every scan
        sha256=pl.when(pl.col("sha256").str.starts_with(UNREADABLE)).then(None).otherwise(pl.col("sha256"))
    )
    to_hash = known.filter(pl.col("sha256").is_null()).select("path", "path_hex").rows()
    # One file after the other: report files are small, and a thread pool made hashing 100,000 of them
    # five times slower (the threads fight over the GIL between reads of a few kB).
    hashed = [_hash_or_marker(fs_path(raw_dir, *row)) for row in to_hash]
    hashes = {path: sha for (path, _), sha in zip(to_hash, hashed, strict=True)}
    present = (
        known.with_columns(
            sha256=pl.coalesce("sha256", pl.col("path").replace_strict(hashes, default=None, return_dtype=pl.String))
        )
        .filter(pl.col("sha256").is_not_null())  # vanished while hashing
        .join(previous.select("path", "sha256", "first_seen"), on=["path", "sha256"], how="left")
        .with_columns(
            pl.col("first_seen").fill_null(pl.lit(now, dtype=MANIFEST_SCHEMA["first_seen"])),
            deleted_at=pl.lit(None, dtype=MANIFEST_SCHEMA["deleted_at"]),
        )
    )
    gone = previous.join(present.select("path", "sha256"), on=["path", "sha256"], how="anti").with_columns(
        pl.col("deleted_at").fill_null(pl.lit(now, dtype=MANIFEST_SCHEMA["deleted_at"]))
    )
    manifest = pl.concat(
        [present.select(MANIFEST_SCHEMA.names()).cast(dict(MANIFEST_SCHEMA)), gone.select(MANIFEST_SCHEMA.names())]
    ).sort("path", "first_seen", "sha256")
    return manifest, len(to_hash)


def present_files(manifest: pl.DataFrame) -> pl.DataFrame:
    """The rows of files that are in the raw directory now."""
    return conform(manifest).filter(pl.col("deleted_at").is_null())


def unique_files(manifest: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct content present now (sha256): the first path in sort order stands for its copies."""
    return present_files(manifest).sort("path").unique("sha256", keep="first", maintain_order=True)


def scan_summary(previous: pl.DataFrame | None, manifest: pl.DataFrame) -> dict[str, int]:
    """What a scan found, for the asset's metadata."""
    before = present_files(conform(previous)).select("path", "sha256")
    now = present_files(manifest)
    new = now.join(before, on=["path", "sha256"], how="anti").height
    return {
        "files_present": now.height,
        "distinct_contents": now["sha256"].n_unique(),
        "new_or_changed_files": new,
        "removed_files": before.join(now.select("path", "sha256"), on=["path", "sha256"], how="anti").height,
        "deleted_or_replaced_total": manifest.filter(pl.col("deleted_at").is_not_null()).height,
        "unreadable_files": now.filter(pl.col("sha256").str.starts_with(UNREADABLE)).height,
    }
