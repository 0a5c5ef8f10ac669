"""The benchmark (issue 7): throughput, peak memory and accuracy on generated corpora.

For each corpus size N (default 10,000 and 100,000 reports, written once by make_corpus.py):
  (a) floor — read + sha256 + decode + NFKC of every file, on all cores, in this process: the work no
      parser can skip;
  (b) parse — `pipeline parse DIR` (all cores), its JSON lines written to /dev/null;
  (c) full  — the whole Dagster graph (benchmarks/run_graph.py) from an empty scratch folder to a
      published warehouse: manifest scan, parse to Parquet, DuckDB tables, SQL models, publish;
  (d) +100  — for the largest N only: 100 new files added to the corpus, and the graph run again on
      the warehouse of (c).
It prints one table: wall time, reports/s, the ratio of (b) and (c) to the floor, the peak memory of
the whole process tree (sampled every 0.5 s: PSS of the process and every worker, summed) and the accuracy of
the cells in the warehouse's Parquet datasets against the generated truth.

Before it, the formats (issue 17): samples of generated reports in the text layouts, as HTML pages and as
PDFs with ruled tables (synthetic.pdf), `--formats` of each (300), parsed one by one on one core in
this process: ms/report, reports/s and the accuracy of each format, and for the PDFs the PDFium floor —
loading each PDF and reading every character's box, the least any PDF reader does — measured on the same
files in the same run. The PDFs are not in the 10,000 / 100,000 corpora (generating them takes ~25 ms each).

    .venv/bin/python benchmarks/bench.py                  # make bench: 10,000 and 100,000
    .venv/bin/python benchmarks/bench.py --sizes 2000     # a quick look
    .venv/bin/python benchmarks/bench.py --sizes --formats 100   # the formats only
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import REAL_SHARE, write_corpus

from pipeline.decoding import decode
from pipeline.listing import list_report_files
from pipeline.model import ParseError
from pipeline.parse import parse_bytes
from synthetic.corpus import HTML, LAYOUTS, PDF, REAL_LAYOUTS, SynthReport, corpus

HERE = Path(__file__).resolve().parent
ADDED = 100
PAGE = os.sysconf("SC_PAGE_SIZE")


# ---------------------------------------------------------------------------------------------
# peak memory of a process tree
# ---------------------------------------------------------------------------------------------


def _pss(pid: str) -> int:
    """Proportional set size in bytes: pages shared with forked workers are counted once across the tree."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for row in fh:
                if row.startswith(b"Pss:"):
                    return int(row.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm", "rb") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


def _tree_memory(root: int) -> int:
    """Memory of `root` and all its descendants (from /proc): summed PSS, else RSS."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss(str(pid))
        todo.extend(children.get(pid, ()))
    return total


class PeakMemory:
    """Samples the memory (PSS) of a process tree in a thread; `.peak_mb` once stopped.

    Every 0.5 s: a sample reads each process's smaps_rollup, which costs the kernel about 30 ms of CPU
    for the parse workers and the run process of a 100,000-report build; every 0.2 s the sampler took an
    eighth of one of the two cores away from what it measures. Peaks last seconds (the parse, the load)."""

    def __init__(self, root: int | None = None, every: float = 0.5):
        self.root, self.every, self.peak = root or os.getpid(), every, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_memory(self.root))
            self._stop.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return self.peak / 2**20


def run_measured(cmd: list[str], env: dict[str, str] | None = None,
                 stdout: int = subprocess.DEVNULL) -> tuple[float, float, str]:
    """(wall seconds, peak MB of the process tree, stdout if captured) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.DEVNULL)
    with PeakMemory(proc.pid) as mem:
        out, _ = proc.communicate()
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # `pipeline parse DIR` exits 1 when some file was quarantined
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return wall, mem.peak_mb, (out or b"").decode()


# ---------------------------------------------------------------------------------------------
# the stages
# ---------------------------------------------------------------------------------------------


def _floor_one(path: Path) -> int:
    data = path.read_bytes()
    hashlib.sha256(data).hexdigest()
    try:
        return len(unicodedata.normalize("NFKC", decode(data).text))
    except ParseError:
        return 0


def floor(paths: list[Path]) -> tuple[float, float]:
    workers = os.cpu_count() or 1
    start = time.perf_counter()
    with PeakMemory() as mem, ProcessPoolExecutor(workers) as pool:
        sum(pool.map(_floor_one, paths, chunksize=max(1, min(256, len(paths) // (workers * 8)))))
    return time.perf_counter() - start, mem.peak_mb


def parse_dir(reports: Path) -> tuple[float, float]:
    wall, peak, _ = run_measured([sys.executable, "-m", "pipeline.cli", "parse", str(reports)])
    return wall, peak


def graph(reports: Path, scratch: Path) -> tuple[float, float, dict]:
    env = {**os.environ, "RAW_DIR": str(reports), "PARQUET_DIR": str(scratch / "parquet"),
           "WAREHOUSE_DB": str(scratch / "warehouse.duckdb"), "CHARTS_DIR": str(scratch / "charts"),
           # the benchmark writes its files whole before the run: none is still being written, so no settle
           # window (with the default 30 s the +100 files, seconds old, would wait for the next run)
           "RAW_SETTLE_SECONDS": "0"}
    env.pop("WAREHOUSE_BUILD_DB", None)
    wall, peak, out = run_measured([sys.executable, str(HERE / "run_graph.py")], env, stdout=subprocess.PIPE)
    result = json.loads(out.strip().splitlines()[-1])
    if not result["success"]:
        raise SystemExit("the Dagster run failed")
    return wall, peak, result


def add_files(reports: Path, n: int) -> Path:
    """n new reports (another seed, so other bytes) in a folder of their own; returns the folder."""
    folder = reports / "zz_added"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for report, data in corpus(n, seed=99):
        (folder / f"added_{report.name}").write_bytes(data)
    return folder


def accuracy(truth: Path, parquet: Path, layouts: tuple[str, ...] | None = None) -> dict[str, int]:
    """Cells of the generated truth found right, wrong or left out (with a finding) in the Parquet datasets;
    with `layouts`, only the cells of reports in those layouts (e.g. REAL_LAYOUTS)."""
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(f"""
        create temp table truth as
        select t.file, t.status, t.layout, unnest(t.cells) as cell
        from read_json('{truth}', columns = {{file: 'VARCHAR', status: 'VARCHAR', layout: 'VARCHAR',
                                              cells: 'JSON[]'}},
                       format = 'newline_delimited') as t
    """)
    only = "" if layouts is None else "and layout in (" + ", ".join(f"'{x}'" for x in layouts) + ")"
    row = con.execute(f"""
        with expected as (
            select file, cell->>0 as table_key, cell->>1 as row_key, cell->>2 as column_key,
                   try_cast(cell->>3 as double) as value
            from truth where status = 'parsed' {only}
        ),
        parsed as (
            select r.file, c.table_key, c.row_key, c.column_key, c.value
            from read_parquet('{parquet}/cells/*/*.parquet') as c
            join read_parquet('{parquet}/reports/*.parquet') as r using (report_id)
        )
        select count(*) as expected,
               count(*) filter (where p.file is not null and (e.value is not distinct from p.value
                                 or abs(e.value - p.value) < 1e-6)) as right,
               count(*) filter (where p.file is not null and not (e.value is not distinct from p.value
                                 or coalesce(abs(e.value - p.value) < 1e-6, false))) as wrong
        from expected as e
        left join parsed as p using (file, table_key, row_key, column_key)
    """).fetchone()
    quarantine = con.execute(f"""
        select count(*), count(q.path)
        from (select distinct file from read_json('{truth}', columns = {{file: 'VARCHAR', status: 'VARCHAR'}},
                                                  format = 'newline_delimited') where status = 'quarantined') as t
        left join read_parquet('{parquet}/quarantine/*.parquet') as q on q.path = t.file
    """).fetchone()
    expected, right, wrong = row
    return {"expected": expected, "right": right, "wrong": wrong, "left_out": expected - right - wrong,
            "to_quarantine": quarantine[0], "quarantined": quarantine[1]}


# ---------------------------------------------------------------------------------------------
# the formats: text layouts, HTML, PDF, one core
# ---------------------------------------------------------------------------------------------

FORMATS = {"text": LAYOUTS, "html": (HTML,), "pdf": (PDF,)}
FORMAT_SEED = 17


def score(report, truth: SynthReport) -> dict[str, int]:
    """The truth's cells found right, wrong or left out in one parsed report (None: the file was refused)."""
    got = {} if report is None else {(c.table, c.row, c.column): c.value for c in report.cells}
    right = wrong = 0
    for key, value in truth.values.items():
        if key not in got:
            continue
        if got[key] == value or (value is not None and got[key] is not None and abs(got[key] - value) < 1e-6):
            right += 1
        else:
            wrong += 1
    expected = len(truth.values)
    return {"expected": expected, "right": right, "wrong": wrong, "left_out": expected - right - wrong}


def pdfium_floor(data: bytes) -> int:
    """The least a PDF reader does: load the document, and on every page its text page and each character's box."""
    import pypdfium2

    doc = pypdfium2.PdfDocument(data)
    n = 0
    for k in range(len(doc)):
        page = doc[k]
        text = page.get_textpage()
        for i in range(text.count_chars()):
            text.get_charbox(i)
            n += 1
        text.close()
        page.close()
    doc.close()
    return n


def format_sample(fmt: str, n: int, seed: int = FORMAT_SEED) -> list[tuple[SynthReport, bytes]]:
    """n generated reports of one format (`FORMATS`), with their truth; deterministic."""
    return list(corpus(n, seed, layouts=FORMATS[fmt]))


def measure_format(sample: list[tuple[SynthReport, bytes]], pdf_floor: bool = False) -> dict:
    """Parse every report of the sample once, in this process: seconds, accuracy, and with `pdf_floor` the
    PDFium floor on the same files (each file's floor read right before its parse, so both see the same cache)."""
    totals = {"expected": 0, "right": 0, "wrong": 0, "left_out": 0}
    parse_s = floor_s = 0.0
    refused = 0
    for truth, data in sample:
        if pdf_floor:
            t = time.perf_counter()
            pdfium_floor(data)
            floor_s += time.perf_counter() - t
        t = time.perf_counter()
        try:
            report = parse_bytes(data, file=truth.name)
        except ParseError:
            report = None
            refused += 1
        parse_s += time.perf_counter() - t
        for k, v in score(report, truth).items():
            totals[k] += v
    return {"n": len(sample), "parse_s": parse_s, "floor_s": floor_s if pdf_floor else None, "refused": refused,
            **totals}


def formats(n: int) -> None:
    """The per-format lines (see the module docstring)."""
    print(f"formats: {n} generated reports each (seed {FORMAT_SEED}), parsed one by one on one core in this process",
          flush=True)
    print(f"{'format':<8} {'reports':>7} {'ms/report':>9} {'reports/s':>9}  accuracy", flush=True)
    for fmt in FORMATS:
        t0 = time.perf_counter()
        sample = format_sample(fmt, n)
        made = time.perf_counter() - t0
        pdf = fmt == "pdf"
        if pdf:
            measure_format(sample[:5], pdf_floor=True)  # warm: PDFium loaded, fonts' CMaps read once
        m = measure_format(sample, pdf_floor=pdf)
        ms = m["parse_s"] * 1000 / m["n"]
        note = (f"{m['right']:,} of {m['expected']:,} cells right ({m['right'] / m['expected']:.2%}), {m['wrong']} "
                f"wrong, {m['left_out']:,} left out; {m['refused']} refused; generated in {made:.1f} s")
        print(f"{fmt:<8} {m['n']:>7} {ms:>9.2f} {1000 / ms:>9.0f}  {note}", flush=True)
        if pdf:
            floor_ms = m["floor_s"] * 1000 / m["n"]
            print(f"{'':<8} {'':>7} {floor_ms:>9.2f} {1000 / floor_ms:>9.0f}  PDFium floor (load, text page, every "
                  f"character's box): parse = {ms / floor_ms:.2f}× the floor", flush=True)
    print(flush=True)


# ---------------------------------------------------------------------------------------------
# the table
# ---------------------------------------------------------------------------------------------

HEADER = f"{'reports':>8}  {'stage':<7} {'wall s':>8} {'reports/s':>10} {'vs floor':>8} {'peak MB':>8}  notes"


def line(n: int, stage: str, wall: float, done: int, floor_rate: float | None, peak: float, notes: str = "") -> None:
    """One row; `floor_rate` None prints no ratio (the floor itself, and the incremental run)."""
    rate = done / wall
    ratio = f"{rate / floor_rate:.0%}" if floor_rate else ("100%" if stage == "floor" else "")
    print(f"{n:>8}  {stage:<7} {wall:>8.1f} {rate:>10.0f} {ratio:>8} {peak:>8.0f}  {notes}", flush=True)


def stages_note(result: dict) -> str:
    s = result["stages"]
    return (f"scan {s['scan']:.1f} s, parse {s['parse']:.1f} s, DuckDB tables+models {s['load']:.1f} s, "
            f"publish {s['publish']:.1f} s")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    p.add_argument("--formats", type=int, default=300, help="reports per format for the per-format lines (0: none)")
    p.add_argument("--corpus-dir", type=Path, default=HERE / "corpus")
    p.add_argument("--scratch", type=Path, default=HERE / "scratch", help="where (c) and (d) build warehouses")
    args = p.parse_args()
    print(f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * PAGE / 2**30:.0f} GiB, "
          f"{platform.processor() or platform.machine()}, Python {platform.python_version()}, "
          f"duckdb {duckdb.__version__}")
    if args.formats:
        formats(args.formats)
    if not args.sizes:
        return 0
    print(HEADER)
    print("-" * len(HEADER))
    for n in args.sizes:
        root = args.corpus_dir / str(n)
        t0 = time.perf_counter()
        truth = write_corpus(n, root, real_share=REAL_SHARE)
        reports = root / "reports"
        shutil.rmtree(reports / "zz_added", ignore_errors=True)
        paths = list_report_files(reports)
        size_mb = sum(p.stat().st_size for p in paths) / 2**20
        gen = time.perf_counter() - t0

        wall, peak = floor(paths)
        floor_rate = len(paths) / wall
        line(n, "floor", wall, len(paths), None, peak, f"{size_mb:.0f} MB of files; corpus ready in {gen:.0f} s")

        wall, peak = parse_dir(reports)
        line(n, "parse", wall, len(paths), floor_rate, peak, "pipeline parse DIR > /dev/null")

        scratch = args.scratch / str(n)
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(parents=True)
        wall, peak, result = graph(reports, scratch)
        acc = accuracy(truth, scratch / "parquet")
        line(n, "full", wall, len(paths), floor_rate, peak, stages_note(result))
        print(f"{'':>8}  {'':<7} accuracy: {acc['right']:,} of {acc['expected']:,} cells right "
              f"({acc['right'] / acc['expected']:.3%}), {acc['wrong']} wrong, {acc['left_out']:,} left out with "
              f"a finding; {acc['quarantined']}/{acc['to_quarantine']} bad files quarantined", flush=True)
        real = accuracy(truth, scratch / "parquet", REAL_LAYOUTS)
        if real["expected"]:
            print(f"{'':>8}  {'':<7} of which the {REAL_SHARE:.0%} real-like reports ({', '.join(REAL_LAYOUTS)}): "
                  f"{real['right']:,} of {real['expected']:,} right ({real['right'] / real['expected']:.3%}), "
                  f"{real['wrong']} wrong, {real['left_out']:,} left out", flush=True)

        if n == max(args.sizes):
            added = add_files(reports, ADDED)
            try:
                wall, peak, result = graph(reports, scratch)
            finally:
                shutil.rmtree(added, ignore_errors=True)
            parsed = result["counts"].get("parsed_files", 0)
            if parsed != ADDED:
                raise SystemExit(f"the +{ADDED} run parsed {parsed} files, not {ADDED}: its time would mean nothing")
            line(n, f"+{ADDED}", wall, ADDED, None, peak, f"{parsed} files parsed; " + stages_note(result))
            print(f"{'':>8}  {'':<7} slowest steps of +{ADDED}: "
                  + ", ".join(f"{step} {seconds:.1f} s" for seconds, step in result["slowest"]), flush=True)
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
