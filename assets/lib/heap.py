"""A one-shot run process (`make run`, the benchmark's run): the heap frozen while the job runs, and an exit
without the interpreter's finalization.

Dagster's modules, the definitions and the run's own records are some 300,000 long-lived objects. Every full
collection of the garbage collector walks all of them (0.4 s in a +100 run on 100,000 reports): `frozen_heap`
moves the objects alive when the job starts out of the collector's sight for the job (garbage made later is
collected as before). The interpreter's exit then collects every object once more (0.85 s after such a run):
`exit_now` ends the process once its output is flushed and nothing is left to finish (every step done, the
Dagster instance and the DuckDB connections closed). Long-lived processes (the UI, the daemon) use neither.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Exempt every object alive now from the collections made in the block.

    Unfrozen afterwards: an interpreter that exits the ordinary way frees them (DuckDB's bindings report the
    objects still alive at exit as leaks). Nested in a frozen heap (a step of a `make run`), it leaves the
    heap as the outer block froze it."""
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def exit_now(code: int) -> NoReturn:
    """End the process with `code` once the logs and the standard streams are flushed, skipping the
    interpreter's finalization (it would only free memory)."""
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    os._exit(code)
