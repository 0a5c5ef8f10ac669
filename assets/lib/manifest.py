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

Every entry of the raw folder ends as one of three things (issue 14):

* a file to read: hashed and recorded;
* refused (`pipeline.listing`: hidden, a link out of the folder, dangling or looping, a pipe or a device, a
  folder that cannot be listed, a file over the size limit): recorded with a pseudo hash (one per path and
  reason, never read) and its `refused` code and `reason`, and quarantined as such by the parse step;
* pending: modified less than `settle_seconds` ago, so maybe still being written: not recorded this time
  (the version recorded before, if any, stays current), read by a later run once it has settled.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from pipeline.listing import walk

MANIFEST_SCHEMA = pl.Schema(
    {
        "path": pl.String,  # relative to the raw directory, POSIX separators (display form, see path_hex)
        "path_hex": pl.String,  # the exact bytes of `path` (hex) when they are not valid UTF-8, else null
        "sha256": pl.String,
        "size_bytes": pl.Int64,
        "mtime_ns": pl.Int64,
        "first_seen": pl.Datetime("us", "UTC"),  # when this path first held this content
        "deleted_at": pl.Datetime("us", "UTC"),  # when it stopped (deleted or overwritten); null while present
        "refused": pl.String,  # why the entry is not read (pipeline.listing code), null for a file to read
        "reason": pl.String,  # the refusal in plain words
    }
)
REFUSED = "refused:"  # pseudo hash of a refused entry: never read, one per path and reason
# A file that exists but cannot be read gets this pseudo hash (retried at every scan): it is quarantined
# with code `unreadable` instead of stopping the scan.
UNREADABLE = "unreadable:"


def sha256_of(path: Path) -> str:
    """sha256 of a file, read with unbuffered `os.read`: a third faster than a buffered file object on
    100,000 small files (no BufferedReader to set up per file)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        digest = hashlib.sha256()
        while block := os.read(fd, 1 << 20):
            digest.update(block)
        return digest.hexdigest()
    finally:
        os.close(fd)


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


_LISTING_SCHEMA = {"path": pl.String, "path_hex": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64,
                   "refused": pl.String, "reason": pl.String}


def stat_raw_dir(raw_dir: Path, max_bytes: int | None = None) -> pl.DataFrame:
    """path, path_hex, size_bytes, mtime_ns, refused, reason of every entry under raw_dir: one `stat` each."""
    rows = [
        (*display_path(e.path), e.stat.st_size, e.stat.st_mtime_ns, e.refused, e.reason)
        for e in (walk(raw_dir, max_bytes) if raw_dir.is_dir() else ())
    ]
    return pl.DataFrame(rows, schema=_LISTING_SCHEMA, orient="row")


def refused_hash(path: str, code: str) -> str:
    """The pseudo hash of a refused entry: the same for the same path and reason, so it is quarantined once."""
    return REFUSED + code + ":" + hashlib.sha256(path.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def scan_raw_dir(raw_dir: Path, previous: pl.DataFrame | None = None, now: datetime | None = None) -> pl.DataFrame:
    """The new manifest: the files under raw_dir now, plus the history of `previous`.

    Hashes and first_seen are reused from `previous` for files whose (path, size, mtime) did not change.
    """
    return scan(raw_dir, previous, now).manifest


@dataclass(frozen=True)
class Scan:
    manifest: pl.DataFrame
    hashed: int  # files read to hash them
    pending: list[str]  # files modified within the settle time: left for a later run
    refused: int  # entries refused (see pipeline.listing)


def scan(
    raw_dir: Path, previous: pl.DataFrame | None = None, now: datetime | None = None, *,
    settle_seconds: float = 0.0, max_bytes: int | None = None,
) -> Scan:
    """The new manifest and what the scan did: see `scan_raw_dir` and the module docstring."""
    now = now or datetime.now(UTC)
    previous = conform(previous)
    listing = stat_raw_dir(raw_dir, max_bytes)
    young = pl.col("refused").is_null() & (pl.col("mtime_ns") > int((now.timestamp() - settle_seconds) * 1e9))
    pending = listing.filter(young)["path"].sort().to_list() if settle_seconds > 0 else []
    current = listing.filter(~pl.col("path").is_in(pending))
    refused = current.filter(pl.col("refused").is_not_null())
    current = current.filter(pl.col("refused").is_null()).drop("refused", "reason")
    present_before = previous.filter(pl.col("deleted_at").is_null())
    known = current.join(
        present_before.select("path", "size_bytes", "mtime_ns", "sha256"),
        on=["path", "size_bytes", "mtime_ns"],
        how="left",
    ).with_columns(  # unreadable files are tried again at every scan
        sha256=pl.when(pl.col("sha256").str.starts_with(UNREADABLE) | pl.col("sha256").str.starts_with(REFUSED))
        .then(None).otherwise(pl.col("sha256"))
    )
    to_hash = known.filter(pl.col("sha256").is_null()).select("path", "path_hex").rows()
    # One file after the other: report files are small, and a thread pool made hashing 100,000 of them
    # five times slower (the threads fight over the GIL between reads of a few kB).
    hashed = [_hash_or_marker(fs_path(raw_dir, *row)) for row in to_hash]
    hashes = {path: sha for (path, _), sha in zip(to_hash, hashed, strict=True)}
    files = known.with_columns(
        sha256=pl.coalesce("sha256", pl.col("path").replace_strict(hashes, default=None, return_dtype=pl.String)),
        refused=pl.lit(None, dtype=pl.String),
        reason=pl.lit(None, dtype=pl.String),
    ).filter(pl.col("sha256").is_not_null())  # vanished while hashing
    refused = refused.with_columns(
        sha256=pl.struct("path", "refused").map_elements(lambda r: refused_hash(r["path"], r["refused"]),
                                                         return_dtype=pl.String)
    ) if refused.height else refused.with_columns(sha256=pl.lit(None, dtype=pl.String))
    present = (
        pl.concat([files.select(_PRESENT), refused.select(_PRESENT)])
        .join(previous.select("path", "sha256", "first_seen"), on=["path", "sha256"], how="left")
        .with_columns(
            pl.col("first_seen").fill_null(pl.lit(now, dtype=MANIFEST_SCHEMA["first_seen"])),
            deleted_at=pl.lit(None, dtype=MANIFEST_SCHEMA["deleted_at"]),
        )
    )
    kept = present_before.filter(pl.col("path").is_in(pending))  # a file being rewritten keeps its last version
    present = pl.concat([present.select(MANIFEST_SCHEMA.names()).cast(dict(MANIFEST_SCHEMA)),
                         kept.select(MANIFEST_SCHEMA.names())])
    gone = previous.join(present.select("path", "sha256"), on=["path", "sha256"], how="anti").with_columns(
        pl.col("deleted_at").fill_null(pl.lit(now, dtype=MANIFEST_SCHEMA["deleted_at"]))
    )
    manifest = pl.concat([present, gone.select(MANIFEST_SCHEMA.names())]).sort("path", "first_seen", "sha256")
    return Scan(manifest, len(to_hash), pending, refused.height)


_PRESENT = ("path", "path_hex", "sha256", "size_bytes", "mtime_ns", "refused", "reason")


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
    refused = now.filter(pl.col("refused").is_not_null())
    new = now.join(before, on=["path", "sha256"], how="anti").height
    return {
        "files_present": now.height,
        "distinct_contents": now["sha256"].n_unique(),
        "new_or_changed_files": new,
        "removed_files": before.join(now.select("path", "sha256"), on=["path", "sha256"], how="anti").height,
        "deleted_or_replaced_total": manifest.filter(pl.col("deleted_at").is_not_null()).height,
        "unreadable_files": now.filter(pl.col("sha256").str.starts_with(UNREADABLE)).height,
        "refused_entries": refused.height,
    }
