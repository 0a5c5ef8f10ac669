"""Many files at once: the same `parse_file` mapped over a process pool, in input order.

This is the many-files path for the CLI and the warehouse: workers return picklable results, and a failed
file yields its ParseError instead of stopping the run.

With `timeout`, every file gets a bounded time (the nightly ingestion and `pipeline parse DIR` use it): a
file whose parse takes longer, or whose worker process dies (a crash in a C extension, the OOM killer),
yields `ParseError("parse_timeout" | "parser_crash")` and the other files go on.

The workers of the pool (issue 14):

* each may use `memory_limit` bytes of address space beyond what it inherited (`RLIMIT_AS`, default
  `pipeline.limits.WORKER_MEMORY`, 3 GiB; not set where the platform has no such limit). A file that needs
  more raises MemoryError in its own worker and yields `ParseError("memory_limit")`; the worker lives on.
  The budget is added to the inherited address space because a worker forked from the Dagster process
  starts with its mappings (gigabytes of reserved, untouched address space);
* each dies with the process that started it (Linux: `prctl(PR_SET_PDEATHSIG, SIGKILL)`): a parent killed
  alone (by the OOM killer, or `kill -9`) leaves no worker running on, holding its inherited files. The
  signal follows the *thread* that forked the worker, so the pool must be used from one thread for its
  whole life (`prefetch` runs the whole of `parse_paths` in its own thread, which is fine).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import itertools
import json
import os
import queue
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import orjson

from pipeline import limits
from pipeline.model import ParseError, Report
from pipeline.parse import parse_file

Result = Report | ParseError
_DEPTH = 2  # chunks submitted ahead per worker in the bounded mode
_CHUNK = 16  # files per task at most in the bounded mode


DEFAULT_TIMEOUT = 300.0  # seconds per file in `pipeline parse DIR`, as in the warehouse's parse
PR_SET_PDEATHSIG = 1  # linux/prctl.h
_memory_limit: int | None = None  # the address space this worker may add (set by `_init_worker`)


def _parse_one(path: Path) -> Result:
    try:
        return parse_file(path)
    except ParseError as exc:
        return exc
    except MemoryError:
        return ParseError("memory_limit", "parsing this file needed more memory than a worker may use"
                          + (f" ({_memory_limit / (1 << 30):g} GiB)" if _memory_limit else ""))
    except RecursionError:
        return ParseError("parser_crash", "the file nests its content deeper than the parser can follow")
    except Exception as exc:  # a parser bug must not kill the run: report it against the file
        return ParseError("parser_crash", f"{type(exc).__name__}: {exc}")


def report_json(report: Report) -> bytes:
    """One JSON line (spec §13) as UTF-8; run in the workers so the parent only writes.

    orjson writes the cells and checks straight from their dataclasses (5x faster than json + to_dict).
    A file name holding undecodable bytes (surrogates) falls back to json with escapes.
    """
    doc = report.to_dict(nested=False)
    doc["findings"] = [f.to_dict() for f in report.findings]
    try:
        return orjson.dumps(doc)
    except orjson.JSONEncodeError:
        return json.dumps(report.to_dict()).encode()


class _Worker:
    """Parse, then apply `transform` in the worker process (picklable: a module-level function)."""

    def __init__(self, transform: Callable[[Report], object] | None):
        self.transform = transform

    def __call__(self, path: Path) -> object:
        result = _parse_one(path)
        if self.transform is None or isinstance(result, ParseError):
            return result
        return self.transform(result)

    def many(self, paths: list[Path]) -> list[object]:
        """One task of several files: one round trip to the parent instead of one per file."""
        return [self(path) for path in paths]


def _pool(workers: int, memory_limit: int | None = limits.WORKER_MEMORY) -> ProcessPoolExecutor:
    """A pool of workers set up by `_init_worker` (see the module docstring)."""
    return ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(memory_limit, os.getpid()))


def _init_worker(memory_limit: int | None, parent: int) -> None:
    """Run first in every worker.

    `gc.freeze()` what it inherited: a worker forked from a big process (the Dagster run: Dagster, the
    definitions, the run's state) would otherwise walk that whole inherited heap at every full garbage
    collection (measured: 20 % more CPU than the same parse from a bare process). Then die with the parent
    and bound the memory (module docstring).
    """
    gc.freeze()
    if sys.platform.startswith("linux"):
        _die_with_parent(parent)
    if memory_limit:
        _limit_memory(memory_limit)


def _die_with_parent(parent: int) -> None:
    """SIGKILL this process when the thread that forked it ends; exit now if the parent is already gone."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no libc prctl: nothing to set
        return
    if os.getppid() != parent:  # the parent died before the signal was armed: it will never come
        os._exit(1)


def _limit_memory(extra: int) -> None:
    """RLIMIT_AS = the address space this process has now + `extra` (a tighter limit already set is kept)."""
    global _memory_limit
    try:
        import resource
    except ImportError:  # not on this platform
        return
    try:
        with open("/proc/self/statm", "rb") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        current = 0
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = current + extra
    if soft != resource.RLIM_INFINITY and soft < limit:  # a tighter limit was set already: kept
        return
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ValueError, OSError):
        return
    _memory_limit = extra


def parse_paths(
    paths: Iterable[Path],
    workers: int | None = None,
    transform: Callable[[Report], object] | None = None,
    timeout: float | None = None,
    memory_limit: int | None = limits.WORKER_MEMORY,
) -> Iterator[tuple[Path, object]]:
    """Yield (path, Report | ParseError) for every path, in order, using all cores by default.

    With `transform`, workers yield transform(report) instead of the Report (e.g. `report_json`, or
    columnar rows for the warehouse), so that the expensive part of serialising runs in parallel too.
    With `timeout` (seconds per file), no file can hang or crash the run (see the module docstring).
    `memory_limit`: bytes of address space each worker may add to what it inherited (None: no limit).
    Without a timeout, fewer than 8 files or one worker are parsed in this process, with no limit.
    """
    paths = list(paths)
    worker = _Worker(transform)
    workers = workers or os.cpu_count() or 1
    if timeout is not None:
        yield from _parse_bounded(paths, worker, workers, timeout, memory_limit)
        return
    if workers == 1 or len(paths) < 8:
        for p in paths:
            yield p, worker(p)
        return
    chunk = max(1, min(64, len(paths) // (workers * 8)))
    with _pool(workers, memory_limit) as pool:
        yield from zip(paths, pool.map(worker, paths, chunksize=chunk), strict=True)


_DONE = object()


def prefetch(items: Iterator, size: int) -> Iterator:
    """Iterate `items` in a background thread, up to `size` ahead of the consumer.

    The consumer of `parse_paths` writes a Parquet batch every 1,000 results; without this, no file is
    submitted to the workers meanwhile and they sit idle. Closing the returned generator (or an
    exception in the consumer) stops the thread and closes `items`, so its worker processes are shut down.
    """
    q: queue.Queue = queue.Queue(maxsize=size)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        q.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    break
            q.put((_DONE, None))
        except BaseException as exc:  # handed to the consumer, raised there
            q.put((_DONE, exc))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    thread = threading.Thread(target=produce, name="parse-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item, error = q.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        while thread.is_alive():  # unblock a producer waiting on a full queue
            with contextlib.suppress(queue.Empty):
                q.get(timeout=0.1)
        thread.join()


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    for process in list(getattr(pool, "_processes", {}).values()):  # the executor has no public kill
        if process.is_alive():
            process.kill()
    pool.shutdown(wait=True, cancel_futures=True)


def _parse_bounded(paths: list[Path], worker: _Worker, workers: int, timeout: float,
                   memory_limit: int | None = limits.WORKER_MEMORY) -> Iterator[tuple[Path, object]]:
    """`parse_paths` with a time limit per file and survival of dying workers; results in input order.

    Files go to the workers in chunks of up to `_CHUNK` (one task per file cost the parent about 0.5 ms
    per file), `_DEPTH` chunks per worker ahead, so a worker never waits for the parent. The pool runs
    chunks in submission order, so the first `workers` unfinished chunks are the ones running: a chunk's
    clock starts when it enters that window, and the whole chunk gets one file's time. A chunk that runs
    over it, or whose worker dies, is not judged: its files are run again one at a time, alone. A file
    over its time on its own is a `parse_timeout`; a file that kills its worker when alone is a
    `parser_crash`. Chunks still queued when the pool is restarted are innocent and simply go back.
    """
    size = max(1, min(_CHUNK, len(paths) // (workers * 8)))
    queue_: deque[int] = deque(range(len(paths)))
    alone: set[int] = set()  # files to run by themselves: they were in a chunk that timed out or crashed
    results: dict[int, object] = {}

    def judge(chunk: list[int], error: ParseError, retry: list[int]) -> None:
        """A chunk that failed: a lone file gets `error`; the files of a larger one are run again, alone."""
        if len(chunk) == 1:
            results[chunk[0]] = error
        else:
            alone.update(chunk)
            retry.extend(chunk)

    emitted = 0
    while emitted < len(paths):
        pool = _pool(min(workers, max(1, len(queue_))), memory_limit)
        inflight: dict[Future, list] = {}  # submission order; value [indices, started or None]
        restart = False
        try:
            while (queue_ or inflight) and not restart:
                while queue_ and len(inflight) < workers * _DEPTH:
                    if queue_[0] in alone and inflight:
                        break  # a suspect runs alone, so that a crash names it
                    chunk = [queue_.popleft()]
                    while chunk[0] not in alone and queue_ and len(chunk) < size and queue_[0] not in alone:
                        chunk.append(queue_.popleft())
                    try:
                        future = pool.submit(worker.many, [paths[i] for i in chunk])
                    except BrokenProcessPool:  # a worker died since the last wait: the running chunks say which
                        if not inflight:  # a pool broken with no work in it: no file to blame, nothing to retry
                            raise
                        queue_.extendleft(reversed(chunk))  # this one never ran: innocent, back in its place
                        break
                    inflight[future] = [chunk, None]
                    if chunk[0] in alone:
                        break
                now = time.monotonic()
                for entry in itertools.islice(inflight.values(), workers):
                    if entry[1] is None:
                        entry[1] = now  # reached a worker
                oldest = min(entry[1] for entry in itertools.islice(inflight.values(), workers))
                done, _ = wait(inflight, timeout=max(0.0, oldest + timeout - time.monotonic()),
                               return_when=FIRST_COMPLETED)
                broken: list[tuple[list[int], float | None]] = []
                retry: list[int] = []
                for future in done:
                    chunk, started = inflight.pop(future)
                    try:
                        results.update(zip(chunk, future.result(), strict=True))
                    except BrokenProcessPool:
                        broken.append((chunk, started))
                    except Exception as exc:  # unpicklable result and the like: that file's problem only
                        judge(chunk, ParseError("parser_crash", f"{type(exc).__name__}: {exc}"), retry)
                if broken:
                    # The chunks that were running hold the culprit; the ones still queued are innocent.
                    lost = broken + [(chunk, started) for chunk, started in inflight.values()]
                    for chunk, started in lost:
                        if started is None:
                            continue
                        if len(chunk) == 1 and chunk[0] in alone:
                            results[chunk[0]] = ParseError("parser_crash", "the parser process died on this file")
                        else:
                            alone.update(chunk)
                    retry.extend(i for chunk, _ in lost for i in chunk if i not in results)
                    inflight.clear()
                    restart = True
                else:
                    now = time.monotonic()
                    overdue = [f for f, (_, started) in inflight.items()
                               if started is not None and now - started >= timeout]
                    for future in overdue:
                        chunk, _ = inflight.pop(future)
                        judge(chunk, ParseError("parse_timeout", f"parsing took longer than {timeout:g} s"), retry)
                    if overdue:
                        retry.extend(i for chunk, _ in inflight.values() for i in chunk)  # innocent: run again
                        inflight.clear()
                        restart = True
                if retry:
                    queue_ = deque(sorted({*queue_, *retry}))
                while emitted in results:
                    yield paths[emitted], results.pop(emitted)
                    emitted += 1
        finally:
            if restart or inflight:
                _kill_workers(pool)
            else:
                pool.shutdown(wait=True)
        while emitted in results:
            yield paths[emitted], results.pop(emitted)
            emitted += 1
