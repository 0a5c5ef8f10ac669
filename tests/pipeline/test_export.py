"""Reports → frames (pipeline/export.py) → the Parquet batch store (pipeline/batch_store.py), and incremental
batch parsing, without Dagster."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest

from assets.lib import batch_parsing
from assets.lib.manifest import scan_raw_dir, unique_files
from pipeline import batch_store as store
from pipeline import export as ex
from pipeline.model import Cell, Check, Finding, ParseError, Report
from tests.support.warehouse_support import SAMPLE_FILES, SAMPLES


def copy_samples(raw: Path) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_FILES:
        shutil.copy(SAMPLES / name, raw / name)


def make_report(sha: str = "a" * 64, **kw) -> Report:
    return Report(
        file="x.txt",
        sha256=sha,
        encoding="utf-8",
        encoding_confidence=1.0,
        template="hybrid",
        report_year=2024,
        organization="某镇人民政府",
        published_on="2025-01-16",
        table_templates={"art20_8": "2021", "applications": "2019"},
        cells=[
            Cell("art20_8", "admin_fees", "fee_amount_wan_yuan", 194.3525, "194.3525", line=40),
            Cell("applications", "total", "total", 7, "7", label_inferred=True, line=60),
            Cell("review_litigation", "cases", "review_total", None, "-", line=80),
        ],
        findings=[
            Finding("warning", "identity_A1_failed", "A1 fails", "applications", "total", "total", left=1, right=2)
        ],
        checks=[Check("A1", "applications", "total", "fail", 1.0, 2.0, False, "a + b = c + d")],
        **kw,
    )


def test_frames_lay_out_cells_long_with_the_template_of_their_table():
    batch = ex.frames([make_report()], [ex.Quarantined("bad.bin", "b" * 64, "binary_file", "NUL bytes")], "b1")

    assert set(batch) == set(store.DATASETS)
    fees = batch["art20_8"].row(0, named=True)
    assert fees["template"] == "2021"  # the table's template, not the report's ("hybrid")
    assert fees["value"] == 194.3525 and fees["value_is_integer"] is False
    apps = batch["applications"].row(0, named=True)
    assert apps["template"] == "2019" and apps["value_is_integer"] is True and apps["label_inferred"] is True
    review = batch["review_litigation"].row(0, named=True)
    assert review["template"] == "hybrid" and review["value"] is None and review["raw"] == "-"
    assert batch["art20_9"].height == 0 and batch["art20_9"].schema == ex.CELLS_SCHEMA
    assert batch["reports"]["report_id"].to_list() == ["a" * 64]
    assert batch["reports"]["n_cells"].to_list() == [3]
    assert batch["findings"]["left_value"].to_list() == [1.0]
    assert batch["checks"]["status"].to_list() == ["fail"]
    assert batch["quarantine"].row(0, named=True)["code"] == "binary_file"


def test_quarantined_from_any_error():
    assert ex.Quarantined.from_error("a", "s", ParseError("empty_file", "empty")).code == "empty_file"
    crash = ex.Quarantined.from_error("a", "s", ValueError("boom"))
    assert crash.code == "parser_error" and "boom" in crash.reason


def test_write_batch_then_read_and_drop(tmp_path):
    store.ensure_datasets(tmp_path)
    assert store.read_dataset(tmp_path, "reports").collect().height == 0
    store.write_batch(ex.frames([make_report()], [], "b1"), tmp_path, "b1")
    store.write_batch(ex.frames([make_report("c" * 64)], [], "b2"), tmp_path, "b2")

    state = store.parsed_state(tmp_path)
    assert sorted(state["batch_id"].to_list()) == ["b1", "b2"]
    assert store.read_dataset(tmp_path, "art20_8").collect().height == 2

    store.drop_batches(tmp_path, ["b1"])
    assert store.parsed_state(tmp_path)["batch_id"].to_list() == ["b2"]
    assert store.batch_ids_on_disk(tmp_path) == {"b2"}


def test_an_interrupted_batch_is_dropped(tmp_path):
    batch = ex.frames([make_report()], [], "b1")
    store.write_parquet_atomic(batch["applications"], store.dataset_dir(tmp_path, "applications") / "b1.parquet")
    assert store.drop_incomplete_batches(tmp_path) == 1
    assert store.batch_ids_on_disk(tmp_path) == set()


def test_manifest_keeps_hashes_and_first_seen(tmp_path):
    raw = tmp_path / "raw"
    copy_samples(raw)
    (raw / "copy.txt").write_bytes((raw / "2023_quantang-zhen.txt").read_bytes())
    (raw / ".hidden").write_text("refused, never read")

    first = scan_raw_dir(raw)
    assert first.height == 7 and first["sha256"].n_unique() == 6
    hidden = first.filter(pl.col("path") == ".hidden").row(0, named=True)
    assert hidden["refused"] == "hidden" and hidden["sha256"].startswith("refused:hidden:")
    assert unique_files(first).height == 6
    again = scan_raw_dir(raw, first)
    assert again.equals(first)


@pytest.fixture
def raw_and_parquet(tmp_path):
    raw = tmp_path / "raw"
    copy_samples(raw)
    (raw / "empty.txt").write_bytes(b"")
    return raw, tmp_path / "parquet"


def test_parse_pending_is_incremental(raw_and_parquet):
    raw, parquet = raw_and_parquet
    manifest = scan_raw_dir(raw)

    first = batch_parsing.parse_pending(manifest, raw, parquet, batch_size=2, workers=2)
    assert (first.parsed, first.quarantined, first.batches_written) == (5, 1, 3)
    assert store.read_dataset(parquet, "reports").collect().height == 5

    second = batch_parsing.parse_pending(manifest, raw, parquet)
    assert (second.parsed, second.quarantined, second.already_parsed) == (0, 0, 6)

    forced = batch_parsing.parse_pending(manifest, raw, parquet, force=True)
    assert (forced.parsed, forced.quarantined, forced.batches_dropped) == (5, 1, 3)
    reports = store.read_dataset(parquet, "reports").collect()
    assert reports.height == 5 and reports["report_id"].n_unique() == 5


def test_a_new_parser_version_reparses(raw_and_parquet, monkeypatch):
    raw, parquet = raw_and_parquet
    manifest = scan_raw_dir(raw)
    batch_parsing.parse_pending(manifest, raw, parquet)
    monkeypatch.setattr(store, "PARSER_VERSION", "next")
    again = batch_parsing.parse_pending(manifest, raw, parquet)
    assert again.batches_dropped == 1 and again.parsed == 5
    cells = store.read_dataset(parquet, "applications").collect()
    assert cells.group_by("report_id").len()["len"].max() <= 25 * 7  # no duplicated cells
    assert cells.select(pl.struct("report_id", "row_key", "column_key").is_unique().all()).item()


def test_manifest_keeps_the_history_of_deleted_and_overwritten_files(tmp_path):
    raw = tmp_path / "raw"
    copy_samples(raw)
    first = scan_raw_dir(raw)
    (raw / SAMPLE_FILES[0]).unlink()
    (raw / SAMPLE_FILES[1]).write_bytes(b"new content")
    second = scan_raw_dir(raw, first)
    assert second.height == 6  # 5 present (one with new content) + the overwritten content
    gone = second.filter(pl.col("deleted_at").is_not_null()).sort("path")
    assert gone["path"].to_list() == [SAMPLE_FILES[0], SAMPLE_FILES[1]]
    assert unique_files(second).height == 4
    (raw / "back.txt").write_bytes((SAMPLES / SAMPLE_FILES[0]).read_bytes())  # the deleted bytes, elsewhere
    third = scan_raw_dir(raw, second)
    assert unique_files(third)["sha256"].is_in(gone["sha256"].to_list()).sum() == 1


def test_a_new_parser_version_keeps_the_reports_whose_files_are_gone(raw_and_parquet, monkeypatch):
    raw, parquet = raw_and_parquet
    manifest = scan_raw_dir(raw)
    batch_parsing.parse_pending(manifest, raw, parquet)
    (raw / SAMPLE_FILES[0]).unlink()  # this report cannot be parsed again
    manifest = scan_raw_dir(raw, manifest)
    monkeypatch.setattr(store, "PARSER_VERSION", "next")
    again = batch_parsing.parse_pending(manifest, raw, parquet)
    assert (again.parsed, again.quarantined, again.carried) == (4, 1, 1)
    reports = store.read_dataset(parquet, "reports").collect()
    assert reports.height == 5 and reports["report_id"].n_unique() == 5  # the deleted one is kept, once
    cells = store.read_dataset(parquet, "applications").collect()
    assert cells["report_id"].n_unique() == 5
    quarantine = store.read_dataset(parquet, "quarantine").collect()
    assert quarantine.height == 1


def test_too_large_files_are_quarantined_unread(raw_and_parquet):
    raw, parquet = raw_and_parquet
    (raw / "big.txt").write_bytes((raw / SAMPLE_FILES[1]).read_bytes() * 20)
    summary = batch_parsing.parse_pending(scan_raw_dir(raw), raw, parquet, max_file_bytes=100_000)
    quarantine = store.read_dataset(parquet, "quarantine").collect().sort("path")
    assert quarantine.select("path", "code").rows() == [("big.txt", "too_large"), ("empty.txt", "empty_file")]
    assert (summary.parsed, summary.quarantined) == (5, 2)
