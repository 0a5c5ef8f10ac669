"""Shared by the warehouse test modules: the pinned sample reports and read-only queries on a DuckDB file."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from tests.support import SAMPLES as SAMPLES  # re-exported beside SAMPLE_FILES

# The five text samples, pinned: the other formats in data/raw/ have their own reader tests.
SAMPLE_FILES = (
    "2019_wandong-zhen.utf8-bom.txt",
    "2023_quantang-zhen.txt",
    "2024_changgao-xiang_beipiao-shi.gb18030.txt",
    "2024_huaping-zhen_zhenjiang-qu.txt",
    "2024_kejing-zhen.utf16.txt",
)


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of one query, on a read-only connection that is always closed."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        return conn.execute(sql, params or []).fetchall()
    finally:
        conn.close()


def columns(db: Path, sql: str) -> tuple[list[str], list[tuple]]:
    """Column names and rows of one query, on a read-only connection that is always closed."""
    conn = duckdb.connect(str(db), read_only=True)
    try:
        cur = conn.execute(sql)
        return [d[0] for d in cur.description], cur.fetchall()
    finally:
        conn.close()


def one(db: Path, sql: str, params: list | None = None):
    """The single row of a query (its single value if it has one column)."""
    rows = query(db, sql, params)
    assert len(rows) == 1, rows
    return rows[0][0] if len(rows[0]) == 1 else rows[0]


def copy_samples(raw: Path) -> None:
    """The pinned sample reports, copied into a raw folder."""
    raw.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_FILES:
        shutil.copy(SAMPLES / name, raw / name)
