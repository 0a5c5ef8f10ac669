"""Dagster's SQLite run and event-log storage with connections kept open (config/dagster.yaml names them).

Dagster's own SQLite storages open a new SQLAlchemy engine for every write and dispose of it after: each of
the ~300 events of a run (a materialization planned and done per model, each check, each step) then pays a
connection, a commit with an fsync, and a close that checkpoints the WAL file with more fsyncs. On the shared
2-core machine that was 10 s of a 25 s `make run` (cProfile: sqlite3 commit 5.3 s, close 5.0 s).

These subclasses keep one engine per database (the run database, the event index, and the last few runs'
event databases) with its pooled connections, and open every connection with `synchronous = NORMAL`, the
setting SQLite recommends for WAL mode: a commit no longer waits for the disk, a process killed at any moment
loses nothing committed, and a power cut may lose the last events of a run but never corrupts the database.
The files, their schema and their layout under DAGSTER_HOME are Dagster's (`history/runs.db`,
`history/runs/<run_id>.db`, `history/runs/index.db`): the UI, the daemon and `dagster` CLI read them as usual.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster._config import StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from dagster._core.storage.runs.sqlite.sqlite_run_storage import SqliteRunStorage
from dagster._serdes import ConfigurableClassData
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

SQLITE_BUSY_TIMEOUT_SECONDS = 30  # as Dagster's: another process (the UI, the daemon) may hold the write lock
KEPT_RUN_SHARDS = 4  # event databases of runs kept open (a run writes its own, the UI reads recent ones)


def _pooled_engine(conn_string: str) -> Engine:
    engine = create_engine(conn_string, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
                                                      "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _normal_sync(dbapi_connection, _record) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("pragma synchronous = normal")
        cursor.close()

    return engine


def _history(dagster_home: str, *parts: str) -> str:
    return os.path.join(os.path.abspath(dagster_home), "history", *parts)


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """Dagster's SQLite event log (one database per run plus the index), with pooled connections."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._engines_lock = threading.Lock()
        super().__init__(base_dir, inst_data)

    @classmethod
    def config_type(cls):
        return {"dagster_home": StringSource}

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value) -> PooledSqliteEventLogStorage:
        return cls(_history(config_value["dagster_home"], "runs"), inst_data=inst_data)

    def _engine(self, shard: str) -> Engine:
        with self._engines_lock:
            engine = self._engines.pop(shard, None) or _pooled_engine(self.conn_string_for_shard(shard))
            self._engines[shard] = engine  # most recently used last
            stale = [name for name in self._engines if name != "index"][:-KEPT_RUN_SHARDS]
            for name in stale:
                self._engines.pop(name).dispose()
            return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn, conn.begin():
                yield conn

    def dispose(self) -> None:
        with self._engines_lock:
            engines, self._engines = list(self._engines.values()), OrderedDict()
        for engine in engines:
            engine.dispose()
        super().dispose()


class PooledSqliteRunStorage(SqliteRunStorage):
    """Dagster's SQLite run storage (`history/runs.db`), with pooled connections."""

    def __init__(self, conn_string: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(conn_string, inst_data)
        self._engine = _pooled_engine(conn_string)

    @classmethod
    def config_type(cls):
        return {"dagster_home": StringSource}

    @classmethod
    def from_config_value(cls, inst_data: ConfigurableClassData | None, config_value) -> PooledSqliteRunStorage:
        # from_local creates and migrates runs.db as Dagster does
        return cls.from_local(_history(config_value["dagster_home"]), inst_data=inst_data)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        with self._engine.connect() as conn, conn.begin():
            yield conn

    def dispose(self) -> None:
        self._engine.dispose()
        super().dispose()
