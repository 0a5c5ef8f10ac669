"""Numbers split by the layout (issue 6, item 5): suspected, reported as a finding, never glued or spread."""

from __future__ import annotations

import copy

from pipeline.identities import check_identities
from pipeline.layout import Grid
from pipeline.parse import parse_grid
from pipeline.readers import grid_lines_text, read_document
from pipeline.split_digits import CODE, suspect_split_numbers
from tests.support import reader_truth as T
from tests.support import variants as V

TRUTH = T.DOCX_2021


def _grid_lines() -> list[list[str]]:
    return copy.deepcopy(read_document(T.fixture_bytes(TRUTH), TRUTH.name).grid.lines)


def _parse(lines: list[list[str]]):
    grid = Grid(lines, exact=True)
    return parse_grid(grid, file="split.docx", sha256="0" * 64, encoding="utf-8", confidence=1.0,
                      lines=grid_lines_text(grid), input_format="docx")


def _review_line(lines: list[list[str]]) -> int:
    review = [T.raw_of(TRUTH, ("review_litigation", "cases", c)) for c in V.REVIEW_COLUMNS]
    return lines.index(review)


def test_no_finding_on_good_reports():
    for truth in (T.HTML_2021, T.HTML_2019, T.DOCX_2021, T.PDF_2021):
        report = _parse(read_document(T.fixture_bytes(truth), truth.name).grid.lines)
        assert not [f for f in report.findings if f.code == CODE]


def test_digit_in_a_blank_neighbour():
    """`10 | (blank)` printed `1 | 0`: the row keeps its width, R1 fails, joining fixes it."""
    lines = _grid_lines()
    i = _review_line(lines)
    lines[i] = ["1", "0", "3", "4", "17", *lines[i][5:]]  # truly: 10, blank, 3, 4, total 17
    report = _parse(lines)
    found = [f for f in report.findings if f.code == CODE]
    assert len(found) == 1
    f = found[0]
    assert (f.severity, f.table, f.row, f.column) == ("warning", "review_litigation", "cases", "review_upheld")
    assert f.cells == [["review_litigation", "cases", c] for c in ("review_upheld", "review_corrected")]
    assert f.raw == "1 | 0" and "10" in f.message
    # the cells stay as printed, and the failed identity is still reported
    assert report.cell("review_litigation", "cases", "review_upheld").value == 1
    assert report.cell("review_litigation", "cases", "review_corrected").value == 0
    assert any(x.code == "identity_R1_failed" for x in report.findings)


def test_one_cell_too_many_is_joined_where_a3_certifies_it():
    """A two-digit value printed over two cells: 8 values for 7 columns. Taking the last seven would shift
    every value one column (issue 13); the join is the only reading A3 accepts, so the row is read joined."""
    lines = _grid_lines()
    cols = V.APP_COLUMNS
    row, j = next((r, j) for r in V.APP_ROWS["2021"] for j, c in enumerate(cols[:-1])
                  if (v := TRUTH.values[("applications", r, c)]) is not None and 10 <= v <= 99 and v % 10
                  and None not in [TRUTH.values[("applications", r, x)] for x in cols])
    printed = [T.raw_of(TRUTH, ("applications", row, c)) for c in cols]
    i = next(k for k, cells in enumerate(lines) if cells[-7:] == printed)
    digits = printed[j]
    lines[i] = [*lines[i][:-7], *printed[:j], digits[0], digits[1], *printed[j + 1:]]
    report = _parse(lines)
    joined = [f for f in report.findings if f.code == "number_joined"]
    assert [f.row for f in joined] == [row]
    assert [report.cell("applications", row, c).value for c in cols] == [
        TRUTH.values[("applications", row, c)] for c in cols]
    assert report.cell("applications", row, cols[j]).raw == f"{digits[0]} {digits[1]}"
    assert report.cell("applications", row, cols[j]).provenance == "split_by_identity"
    assert not [f for f in report.findings if f.code == CODE]  # nothing left to suspect: A3 holds


def test_one_cell_too_many_is_left_out_when_no_reading_is_certain():
    """Eight values that no reading (surplus dropped, or two neighbours joined) makes satisfy A3."""
    lines = _grid_lines()
    cols = V.APP_COLUMNS
    row = V.APP_ROWS["2021"][0]
    printed = [T.raw_of(TRUTH, ("applications", row, c)) for c in cols]
    i = next(k for k, cells in enumerate(lines) if cells[-7:] == printed)
    lines[i] = [*lines[i][:-7], "1", "1", "0", "0", "0", "0", "1", "11"]  # no reading satisfies A3
    report = _parse(lines)
    assert all(report.cell("applications", row, c) is None for c in cols)
    f = next(f for f in report.findings if f.code == "surplus_ambiguous" and f.row == row)
    assert "readings satisfy" in f.message or "no reading" in f.message


def test_no_finding_when_no_join_fixes_it():
    lines = _grid_lines()
    i = _review_line(lines)
    lines[i] = ["1", "0", "3", "4", "99", *lines[i][5:]]  # R1 fails, but 10 + 3 + 4 ≠ 99 either
    report = _parse(lines)
    assert any(x.code == "identity_R1_failed" for x in report.findings)
    assert not [f for f in report.findings if f.code == CODE]


def test_leading_zero_is_no_split():
    lines = _grid_lines()
    i = _review_line(lines)
    lines[i] = ["0", "7", "3", "4", "14", *lines[i][5:]]  # "07" is no number a layout splits
    report = _parse(lines)
    assert not [f for f in report.findings if f.code == CODE]


def test_pure_function_leaves_the_cells_alone():
    lines = _grid_lines()
    i = _review_line(lines)
    lines[i] = ["1", "0", "3", "4", "17", *lines[i][5:]]
    report = _parse(lines)
    before = [c.to_dict() for c in report.cells]
    checks, _ = check_identities(report.cells, "2021")
    again = suspect_split_numbers(report.cells, checks, report.findings)
    assert [f.to_dict() for f in again] == [f.to_dict() for f in report.findings if f.code == CODE]
    assert [c.to_dict() for c in report.cells] == before
    assert suspect_split_numbers(report.cells, [c for c in checks if c.status != "fail"]) == []
