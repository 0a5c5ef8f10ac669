"""Incremental ingestion benchmark (issue 4, point 1): a warehouse of N reports, then 100 more, then nothing new.

For each run of the whole graph (in process, temporary folder) it prints the wall time of each stage —
manifest scan, parse, DuckDB load (tables, staging, marts, docs), publish — and how many files were read
to hash and parsed. The scan and parse of the +100 run must cost about 100/N of the first run's; the
DuckDB load is a bulk rebuild from Parquet (O(N), but fast), the publish a file copy.

    .venv/bin/python benchmarks/bench_incremental.py --sizes 2000 10000
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

from run_graph import run

from synthetic.corpus import corpus


def write(raw: Path, start: int, n: int, seed: int) -> None:
    for i, (report, data) in enumerate(corpus(start + n, seed=seed, start=start), start):
        folder = raw / f"{i // 1000:04d}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / report.name).write_bytes(data)


def run_graph() -> tuple[float, dict[str, float], dict[str, int], list]:
    result = run()
    return result["wall"], result["stages"], result["counts"], result["slowest"]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=[2000])
    p.add_argument("--added", type=int, default=100)
    args = p.parse_args()
    print(f"machine: {os.cpu_count()} cores")
    header = f"{'warehouse':>9} {'run':<10} {'wall s':>7} {'scan':>6} {'parse':>6} {'load':>6} {'publish':>7} " \
             f"{'hashed':>7} {'parsed':>7}"
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        root = Path(tempfile.mkdtemp(prefix=f"bench-incremental-{n}-"))
        os.environ.update(
            RAW_DIR=str(root / "raw"), PARQUET_DIR=str(root / "parquet"),
            WAREHOUSE_DB=str(root / "warehouse.duckdb"), CHARTS_DIR=str(root / "charts"),
        )
        try:
            write(root / "raw", 0, n, seed=3)
            for label, before in (("initial", None), (f"+{args.added}", args.added), ("+0", 0)):
                if before:
                    write(root / "raw", n, before, seed=3)
                wall, s, c, slowest = run_graph()
                print(f"{n:>9} {label:<10} {wall:>7.1f} {s['scan']:>6.1f} {s['parse']:>6.1f} {s['load']:>6.1f} "
                      f"{s['publish']:>7.1f} {c.get('hashed_files', 0):>7} {c.get('parsed_files', 0):>7}")
            print(f"{'':>9} slowest steps of the last run: "
                  + ", ".join(f"{step} {seconds:.1f} s" for seconds, step in slowest))
        finally:
            shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
