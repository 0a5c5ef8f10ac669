"""Write N synthetic reports (pipeline.synth) and their truth to a folder, deterministically.

A share of the files are not usable reports (random bytes, an unrelated text) so that the benchmark
also exercises quarantine; their truth says `quarantined`.

    uv run python benchmarks/make_corpus.py 10000 benchmarks/corpus/10k
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

from pipeline.synth import HTML, LAYOUTS, RUN_TOGETHER, corpus

BAD_RATE = 0.01


def write_corpus(n: int, out: Path, seed: int = 0, defect_rate: float = 0.1) -> Path:
    """Write the corpus unless it is already there (same n and seed); return the truth file."""
    out.mkdir(parents=True, exist_ok=True)
    truth_path = out / "truth.jsonl"
    stamp = out / ".corpus"
    layouts = (*LAYOUTS, RUN_TOGETHER, HTML)
    signature = f"{n} {seed} {defect_rate} {','.join(layouts)}"
    if stamp.exists() and stamp.read_text() == signature and truth_path.exists():
        return truth_path
    reports_dir = out / "reports"
    shutil.rmtree(reports_dir, ignore_errors=True)  # another corpus's files must not stay behind
    stamp.unlink(missing_ok=True)
    reports_dir.mkdir()
    rng = random.Random(seed + 1)
    with truth_path.open("w", encoding="utf-8") as truth:
        for report, data in corpus(n, seed=seed, defect_rate=defect_rate, layouts=layouts):
            sub = reports_dir / report.name[:3]  # 1,000 files per folder at most
            sub.mkdir(exist_ok=True)
            row = report.truth()
            if rng.random() < BAD_RATE:
                data = bytes(rng.getrandbits(8) for _ in range(1500)) + b"\x00"
                row = {"file": report.name, "status": "quarantined", "defects": ["binary"]}
            (sub / report.name).write_bytes(data)
            row["file"] = str((sub / report.name).relative_to(reports_dir))
            truth.write(json.dumps(row, ensure_ascii=False) + "\n")
    stamp.write_text(signature)
    return truth_path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("n", type=int)
    p.add_argument("out", type=Path)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    print(write_corpus(args.n, args.out, args.seed), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
