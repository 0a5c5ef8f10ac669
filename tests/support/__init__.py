"""Helpers shared by the test modules: `from tests.support import variants`, `from tests.support import PROJECT`.

* variants: the seed reports, their ground truth and the layout-variant generator;
* reader_truth: the known values of the HTML / Word / PDF reader fixtures;
* warehouse_support: the pinned sample reports of data/raw/ and read-only DuckDB queries;
* nightly_support: nightly runs of the asset graph on a temporary warehouse (in process or in a subprocess);
* analyst_warehouse: the warehouse of the samples plus a synthetic multi-year set, for the SQL model tests.
"""

from __future__ import annotations

from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]  # the repository root
FIXTURES = PROJECT / "tests" / "fixtures"
SAMPLES = PROJECT / "data" / "raw"
