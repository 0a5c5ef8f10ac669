"""Fixtures shared by every test module. The helper modules are a package: tests/support/."""

from __future__ import annotations

import functools
import os

import pytest

# Tests land files and run at once: no settle window (the tests of the window set their own).
os.environ.setdefault("RAW_SETTLE_SECONDS", "0")


@functools.lru_cache(maxsize=512)
def _parse_cached(data: bytes, file: str):
    from pipeline import parse_bytes

    return parse_bytes(data, file=file)


@pytest.fixture(scope="session")
def parse_cached():
    """parse_bytes memoised on (bytes, file name): several tests read the same parse."""
    return _parse_cached


@pytest.fixture
def crawler_folder(tmp_path):
    """A raw folder as a crawler leaves it, and a report outside it (tests/support/crawler_folder.py)."""
    from tests.support.crawler_folder import make_crawler_folder

    return make_crawler_folder(tmp_path)
