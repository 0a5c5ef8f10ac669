"""The warehouse's DuckDB storage format: one that the DuckDB CLI and older Python clients can open.

DuckDB fixes a file's storage format when it creates the file. New build files get `STORAGE_VERSION`
(`DUCKDB_CONFIG`), but a build file created before that setting existed keeps duckdb 2's newest format, which
DuckDB ≤ 1.5 refuses ("version number 69"). `ensure_readable_format` rewrites such a file once, table by
table with its views and comments (`COPY FROM DATABASE`), before it is published.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

from assets.lib.duckdb_ops import quote
from assets.lib.storage import STORAGE_VERSION


def storage_version(conn: duckdb.DuckDBPyConnection) -> str | None:
    """The storage format of the connection's database, as DuckDB tags it (`v1.2.0+`, `v2.0.0+`)."""
    rows = conn.execute(
        "select tags['storage_version'] from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    return rows[0][0] if rows else None


def is_readable_format(version: str | None) -> bool:
    """True when the file is in the format the warehouse is published in (readable by DuckDB ≥ 1.2)."""
    return (version or "").removesuffix("+") == STORAGE_VERSION


def ensure_readable_format(path: Path) -> bool:
    """Rewrite the DuckDB file at `path` in `STORAGE_VERSION` unless it already is; True if it was rewritten.

    The caller holds the warehouse lock and has no connection open to `path`. The copy replaces the file
    atomically, so a crash leaves the old file as it was.
    """
    path = Path(path)
    conn = duckdb.connect(str(path), read_only=True)
    try:
        if is_readable_format(storage_version(conn)):
            return False
    finally:
        conn.close()
    tmp = path.with_name(f".{path.name}.format-tmp")
    tmp.unlink(missing_ok=True)
    conn = duckdb.connect()
    try:
        conn.execute(f"attach {quote(str(path))} as source (read_only)")
        conn.execute(f"attach {quote(str(tmp))} as target (storage_version {quote(STORAGE_VERSION)})")
        conn.execute("copy from database source to target")
        conn.execute("detach target")
        conn.execute("detach source")
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        conn.close()
    os.replace(tmp, path)
    return True
