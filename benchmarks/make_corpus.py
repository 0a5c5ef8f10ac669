"""Write N synthetic reports (synthetic.corpus) and their truth to a folder, deterministically.

A share of the files are not usable reports (random bytes, an unrelated text) so that the benchmark
also exercises quarantine; their truth says `quarantined`.

Since generator v3 a share of the reports (REAL_SHARE, 10 %; `--real-share`) is real-like: a crawled page on
one line, a PDF converted to markdown, a CMS fragment or a page in site chrome (synthetic.corpus.REAL_LAYOUTS,
spec §15), so that the benchmark's accuracy shows what real files do to the parser. Their truth has the same
shape (a cell the report does not print is not in it; a blank is null) plus the `traits` they show. The new
stamp has a v2 corpus written again; every report not drawn real-like comes out as it was.

    .venv/bin/python benchmarks/make_corpus.py 10000 benchmarks/corpus/10k
    .venv/bin/python benchmarks/make_corpus.py 2000 /tmp/c --real-share 0   # the generated layouts only
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from synthetic.corpus import HTML, LAYOUTS, REAL_LAYOUTS, RUN_TOGETHER, corpus, report_rng

BAD_RATE = 0.01
GENERATOR = "v3"  # part of the stamp: a corpus written by an older generator is written again
REAL_SHARE = 0.1  # share of real-like reports in the benchmark's corpus (v3)
_CHUNK = 500  # reports per task when generating on all cores


def _write_range(out: Path, start: int, stop: int, seed: int, defect_rate: float,
                 layouts: tuple[str, ...], real_share: float) -> list[str]:
    """Write reports start … stop-1 under out/reports; return their truth lines in order."""
    reports_dir = out / "reports"
    lines = []
    for i, (report, data) in enumerate(corpus(stop, seed, defect_rate, layouts, start, real_share), start):
        rng = report_rng(seed, i, "bad file")
        sub = reports_dir / report.name[:3]  # 1,000 files per folder at most
        sub.mkdir(exist_ok=True)
        row = report.truth()
        if rng.random() < BAD_RATE:
            data = rng.randbytes(1500) + b"\x00"
            row = {"file": report.name, "status": "quarantined", "defects": ["binary"]}
        (sub / report.name).write_bytes(data)
        row["file"] = str((sub / report.name).relative_to(reports_dir))
        lines.append(json.dumps(row, ensure_ascii=False) + "\n")
    return lines


def write_corpus(n: int, out: Path, seed: int = 0, defect_rate: float = 0.1, real_share: float = REAL_SHARE) -> Path:
    """Write the corpus unless it is already there (same n, seed, share and generator); return the truth file.

    Every report has its own random source (`synthetic.corpus.report_rng`), so ranges of reports are
    written on all cores and the corpus is the same whatever the number of cores. `real_share`: the share
    of real-like reports (0 keeps the generated layouts only).
    """
    out.mkdir(parents=True, exist_ok=True)
    truth_path = out / "truth.jsonl"
    stamp = out / ".corpus"
    layouts = (*LAYOUTS, RUN_TOGETHER, HTML)
    signature = f"{n} {seed} {defect_rate} {','.join(layouts)} {GENERATOR}"
    if real_share:
        signature += f" real {real_share} {','.join(REAL_LAYOUTS)}"
    if stamp.exists() and stamp.read_text() == signature and truth_path.exists():
        return truth_path
    reports_dir = out / "reports"
    shutil.rmtree(reports_dir, ignore_errors=True)  # another corpus's files must not stay behind
    stamp.unlink(missing_ok=True)
    reports_dir.mkdir()
    ranges = [(start, min(n, start + _CHUNK)) for start in range(0, n, _CHUNK)]
    with ProcessPoolExecutor() as pool, truth_path.open("w", encoding="utf-8") as truth:
        jobs = [pool.submit(_write_range, out, a, b, seed, defect_rate, layouts, real_share) for a, b in ranges]
        for job in jobs:
            truth.writelines(job.result())
    stamp.write_text(signature)
    return truth_path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("n", type=int)
    p.add_argument("out", type=Path)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--real-share", type=float, default=REAL_SHARE,
                   help=f"share of real-like reports (synthetic.corpus.REAL_LAYOUTS), default {REAL_SHARE}")
    args = p.parse_args()
    print(write_corpus(args.n, args.out, args.seed, real_share=args.real_share), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
