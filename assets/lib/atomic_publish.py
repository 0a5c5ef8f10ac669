"""Publish the build file as the analysts' warehouse, atomically.

`publish(build, published)`:

1. opens the build file, `CHECKPOINT`s it (so the file alone holds every committed change), checks it
   (`validate`: the core tables exist, keys are unique, one current version per body and year) and
   closes it; a failed check raises `PublishError` and nothing is published; a build file in a storage
   format the DuckDB CLI cannot read is rewritten once (`assets/lib/storage_format.py`);
2. copies the build file to a temporary file next to the published one, fsyncs it, opens the copy
   read-only and compares its row counts with the build's;
3. `os.replace`s the copy onto the published path (atomic on POSIX) and fsyncs the directory.

Until step 3 the published file is untouched, so a crash, a `kill -9` or a failed step at any earlier
point leaves the last good warehouse in place. Readers that hold the old file open keep reading it (the
inode lives on until they close it); a new connection sees the new one. Nothing ever opens the published
file read-write, so readers never block a run and a run never blocks readers.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from assets.lib.duckdb_ops import RELATIONS
from assets.lib.model_files import read_models
from assets.lib.storage import DUCKDB_CONFIG
from assets.lib.storage_format import ensure_readable_format

# Without these tables a build is not a warehouse (e.g. a fresh build file of a partial run).
REQUIRED_TABLES = ("main.dim_report", "main.file_manifest", "main.quarantine")


class PublishError(RuntimeError):
    """The build failed a check: the published warehouse was left as it was."""

    def __init__(self, problems: list[str]):
        super().__init__("not published: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class PublishResult:
    published: Path
    size_bytes: int
    tables: dict[str, int]  # "schema.table" -> rows

    @property
    def reports(self) -> int:
        return self.tables.get("main.dim_report", 0)


def table_counts(conn: duckdb.DuckDBPyConnection, include_views: bool = False) -> dict[str, int]:
    """Rows of every table ("schema.table" → count); with `include_views`, of every view too (computed)."""
    names = conn.execute(
        f"select schema_name, table_name from {RELATIONS} where kind = 'table' or ? order by all", [include_views]
    ).fetchall()
    return {
        f"{schema}.{table}": conn.execute(f'select count(*) from "{schema}"."{table}"').fetchall()[0][0]
        for schema, table in names
    }


def validate(conn: duckdb.DuckDBPyConnection, counts: dict[str, int]) -> list[str]:
    """What is wrong with a build (empty list: fine to publish)."""
    problems = [f"table {name} is missing" for name in REQUIRED_TABLES if name not in counts]
    if problems:
        return problems
    for model in read_models():  # the tables whose file says `-- unique:` (a view would be computed: skipped)
        if not model.unique or f"{model.schema}.{model.name}" not in counts:
            continue
        key = ", ".join(model.unique)
        duplicated = conn.execute(
            f"select count(*) from (select {key} from {model.relation} group by all having count(*) > 1)"
        ).fetchall()[0][0]
        if duplicated:
            problems.append(f"{model.relation}: {duplicated} duplicated ({key})")
    two_current = conn.execute(
        "select count(*) from (select body_key, report_year from dim_report "
        "where is_current and body_key is not null and report_year is not null group by all having count(*) > 1)"
    ).fetchall()[0][0]
    if two_current:
        problems.append(f"dim_report: {two_current} (body_key, report_year) with more than one current report")
    return problems


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(build: Path, published: Path) -> PublishResult:
    """Check the build file and replace the published file with a copy of it (see the module docstring).

    The caller holds the warehouse lock and has no open connection to the build file.
    """
    build, published = Path(build), Path(published)
    if not build.exists():
        raise PublishError([f"no build file at {build}: run the warehouse assets first"])
    conn = duckdb.connect(str(build), config=DUCKDB_CONFIG)
    try:
        conn.execute("checkpoint")
        counts = table_counts(conn)
        problems = validate(conn, counts)
    finally:
        conn.close()
    if problems:
        raise PublishError(problems)
    if Path(f"{build}.wal").exists():
        raise PublishError([f"{build}.wal is still there after a checkpoint: is another process writing?"])
    ensure_readable_format(build)  # once, for a build file created before the format was pinned

    published.parent.mkdir(parents=True, exist_ok=True)
    tmp = published.with_name(f".{published.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(build, tmp)
        _fsync(tmp)
        copy = duckdb.connect(str(tmp), read_only=True)
        try:
            copied = table_counts(copy)
        finally:
            copy.close()
        if copied != counts:
            raise PublishError(["the copy of the build file does not read back the same row counts"])
        stale_wal = Path(f"{published}.wal")  # a WAL left by an old read-write session would be replayed
        if stale_wal.exists():
            stale_wal.unlink()
        os.replace(tmp, published)
        _fsync(published.parent)
    finally:
        if tmp.exists():
            tmp.unlink()
    return PublishResult(published, published.stat().st_size, counts)


def remove_stale_temporaries(published: Path) -> int:
    """Delete temporary copies a killed publish left next to the published file; returns how many."""
    removed = 0
    for tmp in Path(published).parent.glob(f".{Path(published).name}.*.tmp"):
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed
