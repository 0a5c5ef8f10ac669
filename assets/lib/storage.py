"""Where the data lives, and how the warehouse's DuckDB files are opened.

Two DuckDB files (see "Running it every night" in the README):

* the **build** file (`database`, env `WAREHOUSE_BUILD_DB`, default `data/warehouse/build/warehouse.duckdb`):
  every asset of a run reads and writes this one, through `connect()`;
* the **published** file (`published`, env `WAREHOUSE_DB`, default `data/warehouse/warehouse.duckdb`): what
  analysts open read-only. Only the publish asset touches it, by replacing it atomically with a copy of the
  build file (`assets/lib/atomic_publish.py`). No run ever opens it read-write, so readers never block a run.

DuckDB allows one writing process per file, and one process may not open the same file twice with
different settings. So connections are short (opened per asset, closed in `finally`), the connection
settings are defined exactly once, here, and a run holds the warehouse lock (`assets/lib/locking.py`)
from its first step to its last: the resource takes it when the run sets it up and lets it go when the
run tears it down (the in-process executor sets a resource up once per run). A second run (`make run`
while the UI runs one) waits before its first step instead of failing or interleaving with the first.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from assets.lib.locking import exclusive

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The only DuckDB connection settings in the project (override the memory cap with DUCKDB_MEMORY_LIMIT).
# 1 GB: with 4 GB DuckDB's buffer pool took a run on 100,000 reports to 3.4 GB in all; with 1 GB the whole
# run peaks at 1.5 GB in the same time (DuckDB spills to disk when a query needs more).
# The storage format is DuckDB 1.2's: the DuckDB CLIs analysts can install (1.2 … 1.5) and older Python clients
# read it, while duckdb 2's newest format ("version number 69") locks them out; it costs about 7 % in file size
# and no measurable time. It is fixed when a file is created (assets/lib/storage_format.py converts an older one).
STORAGE_VERSION = "v1.2.0"
DUCKDB_CONFIG: dict[str, str] = {
    "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "1GB"),
    "storage_compatibility_version": STORAGE_VERSION,
}
LOCK_TIMEOUT_SECONDS = float(os.environ.get("WAREHOUSE_LOCK_TIMEOUT", "3600"))


# The settings of the resources: environment variable → default (relative paths are relative to the project).
SETTINGS: dict[str, str] = {
    "RAW_DIR": "data/raw",
    "PARQUET_DIR": "data/warehouse/parquet",
    "WAREHOUSE_DB": "data/warehouse/warehouse.duckdb",
    "WAREHOUSE_BUILD_DB": "",  # empty: build/<name> beside WAREHOUSE_DB
}


def absolute(path: str | Path) -> Path:
    """A configured path made absolute (relative values are relative to the project)."""
    path = Path(path)
    return path if path.is_absolute() else PROJECT_ROOT / path


def env_path(var: str, default: str) -> str:
    """An absolute path from an environment variable (relative values are relative to the project)."""
    return str(absolute(os.environ.get(var) or default))


def setting(var: str) -> str:
    """The resource field for a setting: `dg.EnvVar(var)` when the environment sets it (the UI then names the
    variable, and a run reads it when it starts), else its default."""
    return dg.EnvVar(var) if os.environ.get(var) else SETTINGS[var]


def published_warehouse() -> Path:
    """The published warehouse file as the environment configures it (for code outside a run)."""
    return absolute(os.environ.get("WAREHOUSE_DB") or SETTINGS["WAREHOUSE_DB"])


def default_build_path(published: str | Path) -> str:
    """`<dir>/build/<name>` next to the published file."""
    published = Path(published)
    return str(published.parent / "build" / published.name)


def lock_path(published: str | Path) -> Path:
    return Path(published).parent / ".warehouse.lock"


class DuckDBWarehouse(dg.ConfigurableResource):
    """The DuckDB warehouse: `database` is the build file runs write, `published` the file analysts read."""

    published: str  # the published file: replaced atomically by the publish asset, never opened read-write
    database: str = ""  # the build file (empty: build/<name> beside `published`): every asset writes this one
    _run_lock: ExitStack | None = PrivateAttr(default=None)
    _run_conn: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        """Take the warehouse lock for the whole run (it waits while another run holds it)."""
        path = lock_path(self.published_path)
        log = context.log

        def waiting() -> None:
            if log is not None:
                log.info(f"another run holds the warehouse lock {path}: waiting for it to finish")

        stack = ExitStack()
        stack.enter_context(exclusive(path, timeout=LOCK_TIMEOUT_SECONDS, on_wait=waiting))
        self._run_lock = stack

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.release()
        if self._run_lock is not None:
            self._run_lock.close()
            self._run_lock = None

    @property
    def build_path(self) -> Path:
        return absolute(self.database) if self.database else Path(default_build_path(self.published_path))

    @property
    def published_path(self) -> Path:
        return absolute(self.published)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """The warehouse lock (re-entrant in one process): held by every step that writes warehouse state."""
        with exclusive(lock_path(self.published_path), timeout=LOCK_TIMEOUT_SECONDS):
            yield

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection to the build file, under the warehouse lock.

        Within a run (the resource set up, the run lock held) the steps share one connection, closed when the
        run ends or the publish step `release`s it: opening a 400 MB file and checkpointing it on every close
        cost each step 0.2 s at 100,000 reports. Each step still writes in its own transactions.
        """
        with self.lock():
            if self._run_lock is not None:
                if self._run_conn is None:
                    self._ensure_build()
                    self._run_conn = duckdb.connect(str(self.build_path), config=DUCKDB_CONFIG)
                yield self._run_conn
                return
            self._ensure_build()
            conn = duckdb.connect(str(self.build_path), config=DUCKDB_CONFIG)
            try:
                yield conn
            finally:
                conn.close()

    def release(self) -> None:
        """Close the run's shared connection (the publish step copies the file with no connection open)."""
        if self._run_conn is not None:
            conn, self._run_conn = self._run_conn, None
            conn.close()

    def _ensure_build(self) -> None:
        """Start a missing build file from the last published warehouse (so a partial run has its inputs)."""
        build, published = self.build_path, self.published_path
        build.parent.mkdir(parents=True, exist_ok=True)
        if build.exists() or not published.exists():
            return
        for suffix in ("", ".wal"):
            source = Path(f"{published}{suffix}")
            if source.exists():
                tmp = Path(f"{build}{suffix}.seed-tmp")
                shutil.copyfile(source, tmp)
                os.replace(tmp, f"{build}{suffix}")


class DataPaths(dg.ConfigurableResource):
    """The landed report files (env `RAW_DIR`) and the Parquet datasets (env `PARQUET_DIR`)."""

    raw_dir: str
    parquet_dir: str

    @property
    def raw(self) -> Path:
        return absolute(self.raw_dir)

    @property
    def parquet(self) -> Path:
        return absolute(self.parquet_dir)

    @property
    def manifest(self) -> Path:
        return self.parquet / "manifest.parquet"


def default_resources() -> dict[str, dg.ConfigurableResource]:
    """Resources configured from the environment through `dg.EnvVar` (`dg` loads `.env`), defaults otherwise."""
    from assets.lib.chart_renderer import ChartRenderer

    return {
        "warehouse": DuckDBWarehouse(published=setting("WAREHOUSE_DB"), database=setting("WAREHOUSE_BUILD_DB")),
        "paths": DataPaths(raw_dir=setting("RAW_DIR"), parquet_dir=setting("PARQUET_DIR")),
        "chart_renderer": ChartRenderer(),
    }
