"""Many files at once: the same `parse_file` mapped over a process pool, in input order.

This is the batch path for the CLI and the warehouse: workers return picklable results, and a failed
file yields its ParseError instead of stopping the run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pipeline.model import ParseError, Report
from pipeline.parse import parse_file

Result = Report | ParseError


def _parse_one(path: Path) -> Result:
    try:
        return parse_file(path)
    except ParseError as exc:
        return exc
    except Exception as exc:  # a parser bug must not kill the batch: report it against the file
        return ParseError("parser_crash", f"{type(exc).__name__}: {exc}")


def report_json(report: Report) -> str:
    """One JSON line (spec §13); run in the workers so the parent only writes."""
    return json.dumps(report.to_dict(), ensure_ascii=False)


class _Worker:
    """Parse, then apply `transform` in the worker process (picklable: a module-level function)."""

    def __init__(self, transform: Callable[[Report], object] | None):
        self.transform = transform

    def __call__(self, path: Path) -> object:
        result = _parse_one(path)
        if self.transform is None or isinstance(result, ParseError):
            return result
        return self.transform(result)


def list_report_files(root: Path) -> list[Path]:
    """Every regular, non-hidden file under root, sorted for deterministic output."""
    if root.is_file():
        return [root]
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def parse_paths(
    paths: Iterable[Path], workers: int | None = None, transform: Callable[[Report], object] | None = None
) -> Iterator[tuple[Path, object]]:
    """Yield (path, Report | ParseError) for every path, in order, using all cores by default.

    With `transform`, workers yield transform(report) instead of the Report (e.g. `report_json`, or
    columnar rows for the warehouse), so that the expensive part of serialising runs in parallel too.
    """
    paths = list(paths)
    worker = _Worker(transform)
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(paths) < 8:
        for p in paths:
            yield p, worker(p)
        return
    chunk = max(1, min(64, len(paths) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from zip(paths, pool.map(worker, paths, chunksize=chunk), strict=True)
