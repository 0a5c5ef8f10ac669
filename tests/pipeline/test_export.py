"""Reports → columnar frames (pipeline/export.py): the boundary between the parser and the warehouse."""

from __future__ import annotations

from pipeline import batch_store as store
from pipeline import export as ex
from pipeline.model import ParseError
from tests.support.reports import make_report


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






