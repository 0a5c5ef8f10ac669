"""The manifest of the raw folder (assets/lib/manifest.py): hashes, first seen, and the history of deleted and
overwritten files."""

from __future__ import annotations

import polars as pl

from assets.lib.manifest import scan_raw_dir, unique_files
from tests.support.warehouse_support import SAMPLE_FILES, SAMPLES, copy_samples


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
