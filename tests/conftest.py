"""Shared test helpers. Ground truth and the variant generator live in tests/variants.py."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # `import variants` under any import mode
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


