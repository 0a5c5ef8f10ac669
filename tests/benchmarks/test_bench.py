"""The benchmark's own machinery (issue 7): the corpus, the accuracy count and the memory sampler.

The figures themselves are measured by `make bench`, never by a test; these tests only make sure the
benchmark counts right, so that the numbers it prints can be trusted.
"""

from __future__ import annotations

import json
import os
import sys

# benchmarks/ holds scripts, not a package: pyproject's `pythonpath` puts the folder on sys.path for pytest.
import bench
import polars as pl
import pytest
from make_corpus import REAL_SHARE, write_corpus

from assets.lib.batch_parsing import parse_pending
from assets.lib.manifest import scan_raw_dir
from pipeline import batch_store as store
from synthetic.corpus import REAL_LAYOUTS, corpus

# Writes and parses a generated corpus with worker processes, samples a child's memory.
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def parsed_corpus(tmp_path_factory):
    """60 generated reports (every layout, HTML, run-together and real-like ones included) parsed into
    Parquet datasets."""
    root = tmp_path_factory.mktemp("corpus")
    truth = write_corpus(60, root / "c", seed=5, defect_rate=0.3, real_share=0.25)
    reports = root / "c" / "reports"
    parquet = root / "parquet"
    parse_pending(scan_raw_dir(reports), reports, parquet, workers=2)
    return truth, reports, parquet


def test_the_corpus_does_not_depend_on_how_many_processes_write_it(tmp_path, monkeypatch):
    import concurrent.futures

    import make_corpus

    first = write_corpus(1100, tmp_path / "all_cores", seed=3)  # three ranges of 500, on every core
    monkeypatch.setattr(make_corpus, "ProcessPoolExecutor", lambda: concurrent.futures.ProcessPoolExecutor(1))
    second = write_corpus(1100, tmp_path / "one_core", seed=3)
    assert first.read_bytes() == second.read_bytes()
    files = sorted(p.relative_to(first.parent) for p in (first.parent / "reports").rglob("*") if p.is_file())
    assert len(files) == 1100
    assert all((first.parent / f).read_bytes() == (second.parent / f).read_bytes() for f in files)
    # and a range made alone is the same as that range of the whole corpus
    whole = list(corpus(30, seed=3))
    assert [data for _, data in corpus(30, seed=3, start=20)] == [data for _, data in whole[20:]]

def test_the_corpus_is_written_once_and_holds_every_layout(parsed_corpus):
    truth, reports, _ = parsed_corpus
    rows = pl.read_ndjson(truth)
    assert rows.height == 60
    assert {"html", "run_together", "pipe", "tab", "markdown", "block", "stream", "crawled_page"} <= set(
        rows.filter(pl.col("status") == "parsed")["layout"].to_list()
    )
    assert any(p.suffix == ".html" for p in reports.rglob("*"))
    before = {p: p.stat().st_mtime_ns for p in reports.rglob("*") if p.is_file()}
    assert write_corpus(60, truth.parent, seed=5, defect_rate=0.3, real_share=0.25) == truth  # reused
    assert {p: p.stat().st_mtime_ns for p in reports.rglob("*") if p.is_file()} == before


def test_accuracy_counts_every_truth_cell_right_when_nothing_is_wrong(parsed_corpus):
    truth, _, parquet = parsed_corpus
    acc = bench.accuracy(truth, parquet)
    expected = sum(len(cells) for cells in pl.read_ndjson(truth).filter(pl.col("status") == "parsed")["cells"])
    assert acc["expected"] == expected > 5000
    assert acc["wrong"] == 0
    assert acc["right"] + acc["left_out"] == expected
    assert acc["right"] / expected > 0.95  # only rows no identity decides are left out
    assert acc["quarantined"] == acc["to_quarantine"]


def test_accuracy_sees_a_changed_value_and_a_missing_cell(parsed_corpus, tmp_path):
    truth, _, parquet = parsed_corpus
    before = bench.accuracy(truth, parquet)
    copy = tmp_path / "parquet"
    for dataset in store.DATASETS:
        src, dst = store.dataset_dir(parquet, dataset), store.dataset_dir(copy, dataset)
        dst.mkdir(parents=True)
        changed = False
        for f in sorted(src.glob("*.parquet")):
            frame = pl.read_parquet(f)
            if dataset == "applications" and frame.height > 2 and not changed:
                changed = True  # in the first batch: one value changed (row 0), one cell dropped (row 1)
                frame = frame.with_row_index().filter(pl.col("index") != 1).with_columns(
                    value=pl.when(pl.col("index") == 0).then(pl.col("value").fill_null(0) + 1)
                    .otherwise(pl.col("value"))
                ).drop("index")
            frame.write_parquet(dst / f.name)
    after = bench.accuracy(truth, copy)
    assert (after["right"], after["wrong"], after["left_out"]) == (
        before["right"] - 2, before["wrong"] + 1, before["left_out"] + 1)


def test_peak_memory_sums_the_process_tree():
    import subprocess

    child = subprocess.Popen([sys.executable, "-c", "x = bytearray(300 * 2**20); import time; time.sleep(3)"])
    try:
        with bench.PeakMemory(os.getpid(), every=0.1) as mem:
            child.wait()
    finally:
        child.kill()
    assert mem.peak_mb > 300


def test_the_benchmark_corpus_holds_a_share_of_real_like_reports(tmp_path):
    truth = write_corpus(80, tmp_path / "c", seed=1, real_share=0.25)
    rows = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines()]
    real = [row for row in rows if row.get("layout") in REAL_LAYOUTS]
    assert 5 < len(real) < 40 and all(row["traits"] for row in real if row["status"] == "parsed")
    assert all((tmp_path / "c" / "reports" / row["file"]).is_file() for row in rows)
    assert 0 < REAL_SHARE < 0.5
    assert write_corpus(80, tmp_path / "c", seed=1, real_share=0.25) == truth  # same stamp: reused


# ------------------------------------------------------------------------------------------------
# The per-format lines (issue 17): generated PDFs with ruled tables parse to every truth cell
# ------------------------------------------------------------------------------------------------


def test_a_generated_pdf_corpus_parses_with_no_wrong_cell():
    sample = bench.format_sample("pdf", 12)
    assert all(data.startswith(b"%PDF-") for _, data in sample)
    assert sample == bench.format_sample("pdf", 12)  # deterministic: the same reports, the same bytes
    m = bench.measure_format(sample, pdf_floor=True)
    assert m["wrong"] == 0 and m["refused"] == 0
    assert m["expected"] == sum(len(truth.values) for truth, _ in sample) > 2000
    assert m["right"] == m["expected"]  # ruled tables: every cell, blanks included, in its row and column
    assert m["floor_s"] > 0


def test_the_generated_pdfs_hold_their_report_and_both_rule_styles():
    from pipeline import parse_bytes
    from pipeline.readers.pdf import load_pages

    sample = bench.format_sample("pdf", 12)
    styles = set()
    for truth, data in sample:
        report = parse_bytes(data, file=truth.name)
        assert (report.input_format, report.template, report.organization, report.report_year,
                report.published_on) == ("pdf", truth.template, truth.organization, truth.report_year,
                                         truth.published_on)
        pages = load_pages(data)
        assert len(pages) >= 2 and not any(p.images for p in pages)
        long_rules = sum(1 for p in pages for y, x0, x1 in p.h_rules if x1 - x0 > 300)
        styles.add(long_rules > 10)  # LibreOffice-style rules span the table; Word-style boxes one cell each
    assert styles == {True, False}


def test_score_counts_a_wrong_and_a_missing_cell():
    truth, data = bench.format_sample("pdf", 1)[0]
    from pipeline import parse_bytes

    report = parse_bytes(data, file=truth.name)
    assert bench.score(report, truth)["wrong"] == 0
    cell = next(c for c in report.cells if c.value)
    cell.value = cell.value + 1
    report.cells.remove(next(c for c in report.cells if c is not cell))
    s = bench.score(report, truth)
    assert (s["wrong"], s["left_out"], s["right"]) == (1, 1, s["expected"] - 2)
    assert bench.score(None, truth)["left_out"] == len(truth.values)
