"""What a folder of reports holds (pipeline/listing.py, issue 14): every entry a file to read, or refused with a
reason: links out of the folder, dangling links, link loops, hidden files, named pipes, folders that cannot be
listed, files over the size limit. The folder is the `crawler_folder` fixture of tests/conftest.py."""

from __future__ import annotations

import os

from pipeline.listing import walk
from tests.support.crawler_folder import EXPECTED


def test_every_entry_of_the_raw_folder_is_read_or_refused_with_a_reason(crawler_folder):
    raw, _ = crawler_folder
    entries = {e.path: e for e in walk(raw, max_bytes=200_000)}
    assert {p: e.refused for p, e in entries.items()} == EXPECTED
    assert all(e.reason for e in entries.values() if e.refused)
    assert "outside the raw folder" in entries["out.txt"].reason


def test_an_unlistable_folder_is_refused_and_the_walk_goes_on(crawler_folder, monkeypatch):
    raw, _ = crawler_folder
    real = os.scandir

    def scandir(path):
        if str(path).endswith(os.sep + "sub"):
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    entries = {e.path: e.refused for e in walk(raw)}
    assert entries["sub"] == "unlistable_folder" and "good.txt" in entries
