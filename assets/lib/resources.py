"""Where the data lives, and how the warehouse's DuckDB file is opened.

DuckDB allows one writing process per file, and one process may not open the same file twice with
different settings. So connections are short (opened per asset, closed in `finally`) and the
connection settings are defined exactly once, here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The only DuckDB connection settings in the project (override the memory cap with DUCKDB_MEMORY_LIMIT).
DUCKDB_CONFIG: dict[str, str] = {
    "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "4GB"),
}


def env_path(var: str, default: str) -> str:
    """An absolute path from an environment variable (relative values are relative to the project)."""
    path = Path(os.environ.get(var) or default)
    return str(path if path.is_absolute() else PROJECT_ROOT / path)


class DuckDBWarehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file (env `WAREHOUSE_DB`, default data/warehouse/warehouse.duckdb)."""

    database: str

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        Path(self.database).parent.mkdir(parents=True, exist_ok=True)
        conn = duckdb.connect(self.database, config=DUCKDB_CONFIG)
        try:
            yield conn
        finally:
            conn.close()


class DataPaths(dg.ConfigurableResource):
    """The landed report files (env `RAW_DIR`) and the Parquet datasets (env `PARQUET_DIR`)."""

    raw_dir: str
    parquet_dir: str

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def parquet(self) -> Path:
        return Path(self.parquet_dir)

    @property
    def manifest(self) -> Path:
        return self.parquet / "manifest.parquet"


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """Resources configured from the environment (read at definitions-load time; `dg` loads `.env`)."""
    return {
        "warehouse": DuckDBWarehouse(
            database=env_path("WAREHOUSE_DB", "data/warehouse/warehouse.duckdb"),
        ),
        "paths": DataPaths(
            raw_dir=env_path("RAW_DIR", "data/raw"),
            parquet_dir=env_path("PARQUET_DIR", "data/warehouse/parquet"),
        ),
    }
