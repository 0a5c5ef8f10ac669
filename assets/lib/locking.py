"""One lock for the warehouse's state (manifest, Parquet batches, the build DuckDB file, publishing).

Runs started by the daemon are already serialised by the run queue (pool `duckdb_write`, see
config/dagster.yaml), but `dg launch` (`make run`) does not go through the queue. An OS file lock
(`flock`) makes a second process wait for the step that holds it instead of failing on DuckDB's own lock,
or parsing the same new files twice. The kernel releases it when its process dies (kill -9 included).

The lock is re-entrant within one process: a step that holds it may open a DuckDB connection, which takes
it again.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_guard = threading.RLock()
_held: dict[str, tuple[int, int]] = {}  # path -> (fd, depth)


class LockTimeout(TimeoutError):
    pass


@contextmanager
def exclusive(path: str | Path, timeout: float = 3600.0, poll: float = 0.2) -> Iterator[None]:
    """Hold an exclusive `flock` on `path` (created if missing); wait at most `timeout` seconds."""
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
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
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
                fcntl.flock(fd, fcntl.LOCK_UN)
                os.close(fd)
