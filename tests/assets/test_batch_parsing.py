"""Incremental batch parsing (assets/lib/batch_parsing.py): the raw folder parsed into the Parquet batch store,
only what changed, without Dagster."""

from __future__ import annotations

import polars as pl
import pytest

from assets.lib import batch_parsing
from assets.lib.manifest import scan_raw_dir
from pipeline import batch_store as store
from tests.support.warehouse_support import SAMPLE_FILES, copy_samples


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
