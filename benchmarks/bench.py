"""The benchmark: throughput, memory and accuracy on synthetic corpora (issue 7).

For each corpus size it measures, on this machine:
  (a) floor  — read + sha256 + decode + NFKC of every file, nothing else (all cores, same pool);
  (b) parse  — `pipeline parse DIR` (all cores), JSON lines to a file; accuracy against the truth;
  (c) full   — the whole Dagster graph to a published warehouse (when --full);
and prints reports/s, the ratio of (b) and (c) to the floor, wall time and peak RSS.

    uv run python benchmarks/bench.py --sizes 10000 100000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import write_corpus

from pipeline.batch import list_report_files
from pipeline.decoding import decode
from pipeline.model import ParseError

HERE = Path(__file__).resolve().parent


def _floor_one(path: Path) -> int:
    data = path.read_bytes()
    hashlib.sha256(data).hexdigest()
    try:
        return len(unicodedata.normalize("NFKC", decode(data).text))
    except ParseError:
        return 0


def floor(paths: list[Path]) -> float:
    start = time.perf_counter()
    workers = os.cpu_count() or 1
    with ProcessPoolExecutor(workers) as pool:
        sum(pool.map(_floor_one, paths, chunksize=max(1, len(paths) // (workers * 8))))
    return time.perf_counter() - start


def _child_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def parse_dir(root: Path, out: Path) -> float:
    start = time.perf_counter()
    with out.open("w") as fh:
        subprocess.run([sys.executable, "-m", "pipeline.cli", "parse", str(root)], stdout=fh,
                       stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def accuracy(truth_path: Path, parsed_path: Path, root: Path) -> tuple[int, int, int, int, int]:
    """(cells right, cells wrong, cells expected, reports quarantined as expected, expected quarantined).

    A cell neither right nor wrong was left out with a finding (e.g. an ambiguous run-together row)."""
    parsed: dict[str, dict] = {}
    with parsed_path.open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            parsed[str(Path(d["file"]).relative_to(root))] = {
                (c["table"], c["row"], c["column"]): c["value"] for c in d["cells"]}
    right = wrong = expected = q_ok = q_total = 0
    with truth_path.open(encoding="utf-8") as fh:
        for line in fh:
            t = json.loads(line)
            if t["status"] == "quarantined":
                q_total += 1
                q_ok += t["file"] not in parsed
                continue
            got = parsed.get(t["file"], {})
            for table, row, column, value in t["cells"]:
                expected += 1
                found = got.get((table, row, column), "missing")
                right += found == value
                wrong += found != "missing" and found != value
    return right, wrong, expected, q_ok, q_total


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    p.add_argument("--corpus-dir", type=Path, default=HERE / "corpus")
    args = p.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    header = f"{'reports':>8} {'stage':<6} {'wall s':>8} {'reports/s':>10} {'vs floor':>8} {'peak MB':>8}  notes"
    print(header)
    print("-" * len(header))
    for n in args.sizes:
        out = args.corpus_dir / str(n)
        t0 = time.perf_counter()
        truth = write_corpus(n, out)
        gen = time.perf_counter() - t0
        paths = list_report_files(out / "reports")
        f = floor(paths)
        print(f"{n:>8} {'floor':<6} {f:>8.2f} {n / f:>10.0f} {'100%':>8} {'':>8}  corpus written in {gen:.0f} s")
        parsed = out / "parsed.jsonl"
        b = parse_dir(out / "reports", parsed)
        right, wrong, expected, q_ok, q_total = accuracy(truth, parsed, out / "reports")
        print(f"{n:>8} {'parse':<6} {b:>8.2f} {n / b:>10.0f} {f / b:>8.0%} {_child_peak_mb():>8.0f}  "
              f"cells right {right / expected:.3%}, wrong {wrong}, left out with a finding "
              f"{expected - right - wrong} of {expected}; quarantined {q_ok}/{q_total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
