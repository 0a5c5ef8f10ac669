"""A raw folder as a crawler leaves it (links in and out, loops, a pipe, hidden and oversized files), and what each of
its entries must end as: shared by the listing tests and a nightly run (the `crawler_folder` fixture of
tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.support.warehouse_support import SAMPLE_FILES, SAMPLES


def make_crawler_folder(tmp_path: Path) -> tuple[Path, Path]:
    """A raw folder as a crawler leaves it, and a report outside it."""
    raw = tmp_path / "raw"
    raw.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_bytes((SAMPLES / SAMPLE_FILES[1]).read_bytes())
    (raw / "good.txt").write_bytes((SAMPLES / SAMPLE_FILES[0]).read_bytes())
    (raw / ".hidden-report.txt").write_bytes((SAMPLES / SAMPLE_FILES[2]).read_bytes())
    (raw / "out.txt").symlink_to(outside)
    (raw / "etc-passwd").symlink_to("/etc/passwd")
    (raw / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    (raw / "loop-a").symlink_to(raw / "loop-b")
    (raw / "loop-b").symlink_to(raw / "loop-a")
    (raw / "inside-link.txt").symlink_to(raw / "good.txt")
    (raw / "folder-link").symlink_to(raw)
    os.mkfifo(raw / "pipe")
    (raw / "big.txt").write_bytes(b"0" * 300_000)
    (raw / "sub").mkdir()
    (raw / "sub" / "nested.txt").write_bytes((SAMPLES / SAMPLE_FILES[3]).read_bytes())
    return raw, outside


# What each entry ends as: None (read), else the reason code of its refusal.
EXPECTED = {
    "good.txt": None, "inside-link.txt": None, "sub/nested.txt": None,
    ".hidden-report.txt": "hidden", "out.txt": "link_outside", "etc-passwd": "link_outside",
    "dangling.txt": "link_dangling", "loop-a": "link_loop", "loop-b": "link_loop",
    "folder-link": "link_to_folder", "pipe": "not_a_file", "big.txt": "too_large",
}
