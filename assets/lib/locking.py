"""One lock for the warehouse's state (manifest, Parquet batches, the build DuckDB file, publishing).

Runs started by the daemon are already serialised by the run queue (pool `duckdb_write`, see
config/dagster.yaml), but `dg launch` (`make run`) does not go through the queue. An OS file lock makes a
second process wait instead of failing on DuckDB's own lock or interleaving with the first; a run holds
it from its first step to its last (`DuckDBWarehouse.setup_for_execution`), so no run publishes another's
half-built state.

It is a POSIX record lock (`fcntl.lockf`), not `flock`: a record lock belongs to the process that took
it, so the parse workers it forks do not inherit it, and the kernel releases it the moment that process
dies, whatever happens to its children (kill -9 of the run alone, the OOM killer). A `flock` lives on the
open file description, which forked children share: a killed run whose workers lived on kept the lock.
Record locks are dropped when the process closes any descriptor of the file, so one descriptor per lock
file is kept open for as long as it is held, and the lock is re-entrant within the process: a step that
holds it may open a DuckDB connection, which takes it again.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

_guard = threading.RLock()
_held: dict[str, tuple[int, int]] = {}  # path -> (fd, depth)


class LockTimeout(TimeoutError):
    pass


@contextmanager
def exclusive(path: str | Path, timeout: float = 3600.0, poll: float = 0.2,
              on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created if missing); wait at most `timeout` seconds, calling
    `on_wait` once if another process holds it."""
    key = str(Path(path).resolve())
    with _guard:
        if key in _held:
            fd, depth = _held[key]
            _held[key] = (fd, depth + 1)
            reentered = True
        else:
            reentered = False
    if not reentered:
        Path(key).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(key, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except (BlockingIOError, PermissionError):  # EAGAIN or EACCES: another process holds it
                if on_wait is not None:
                    on_wait()
                    on_wait = None
                if time.monotonic() > deadline:
                    os.close(fd)
                    raise LockTimeout(f"another process holds the warehouse lock {key} ({timeout:.0f} s)") from None
                time.sleep(poll)
        with _guard:
            _held[key] = (fd, 1)
    try:
        yield
    finally:
        with _guard:
            fd, depth = _held[key]
            if depth > 1:
                _held[key] = (fd, depth - 1)
            else:
                del _held[key]
                fcntl.lockf(fd, fcntl.LOCK_UN)
                os.close(fd)
