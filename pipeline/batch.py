"""Many files at once: the same `parse_file` mapped over a process pool, in input order.

This is the batch path for the CLI and the warehouse: workers return picklable results, and a failed
file yields its ParseError instead of stopping the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
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


def list_report_files(root: Path) -> list[Path]:
    """Every regular, non-hidden file under root, sorted for deterministic output."""
    if root.is_file():
        return [root]
    return sorted(
        p for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts)
    )


def parse_paths(paths: Iterable[Path], workers: int | None = None) -> Iterator[tuple[Path, Result]]:
    """Yield (path, Report | ParseError) for every path, in order, using all cores by default."""
    paths = list(paths)
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(paths) < 8:
        for p in paths:
            yield p, _parse_one(p)
        return
    chunk = max(1, min(256, len(paths) // (workers * 8)))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        yield from zip(paths, pool.map(_parse_one, paths, chunksize=chunk), strict=True)
