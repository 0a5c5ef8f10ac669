"""PDFs (issue 6): ruled tables over page breaks, the text-layout fallback, scans refused — every cell."""

from __future__ import annotations

import pdfplumber
import pytest

from pipeline import ParseError, parse_bytes, parse_file
from pipeline.readers import read_document
from pipeline.readers.pdf import _join_split_row, layout_lines
from tests.support import reader_truth as T
from tests.support import variants as V


@pytest.fixture(scope="module")
def ruled():
    return parse_bytes(T.fixture_bytes(T.PDF_2021), file=T.PDF_2021.name)


@pytest.fixture(scope="module")
def borderless():
    return parse_bytes(T.fixture_bytes(T.PDF_2021_PLAIN), file=T.PDF_2021_PLAIN.name)


def _pages(truth: T.Truth) -> list[str]:
    with pdfplumber.open(T.FIXTURES / truth.name) as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


# ------------------------------------------------------------------------------------------------
# Ruled tables (pdfplumber's table finder)
# ------------------------------------------------------------------------------------------------


def test_ruled_every_cell_in_its_row_and_column(ruled):
    problems = T.cell_problems(ruled, T.PDF_2021)
    assert not problems, "\n".join(problems[:40])
    assert len(ruled.cells) == V.CELL_COUNT["2021"]


def test_ruled_metadata_and_format(ruled):
    t = T.PDF_2021
    assert ruled.input_format == "pdf"
    assert ruled.encoding == "pdf-text"
    assert (ruled.template, ruled.organization, ruled.report_year, ruled.published_on) == (
        t.template, t.organization, t.report_year, t.published_on)


def test_ruled_no_findings_identities_hold(ruled):
    assert [f for f in ruled.findings if f.severity != "info"] == []
    assert ruled.checks and all(c.status == "pass" for c in ruled.checks)


def test_the_fixture_really_splits_table_three_over_pages():
    pages = _pages(T.PDF_2021)
    first = next(i for i, text in enumerate(pages) if "勾稽关系" in text)
    last = next(i for i, text in enumerate(pages) if "结转下年度继续办理" in text)
    assert last > first  # the table runs over a page break, and its cells still all land (above)


def test_page_numbers_and_split_rows():
    doc = read_document(T.fixture_bytes(T.PDF_2021), T.PDF_2021.name)
    assert doc.grid.exact
    for n in range(1, 6):
        assert [str(n)] not in doc.grid.lines  # footer page numbers dropped
    # every data row of table 三 is one line: no row left in two pieces at a page break
    app_rows = [cells for cells in doc.grid.lines if 8 <= len(cells) <= 10]  # table 四 rows have 15
    assert len(app_rows) == len(V.APP_ROWS["2021"])


# ------------------------------------------------------------------------------------------------
# No ruling: the text-layout fallback
# ------------------------------------------------------------------------------------------------


def test_borderless_fixture_has_no_ruled_tables():
    with pdfplumber.open(T.FIXTURES / T.PDF_2021_PLAIN.name) as pdf:
        assert len(pdf.pages) >= 2
        assert all(not p.find_tables() for p in pdf.pages)


def test_borderless_every_cell_except_rows_with_a_lost_blank(borderless):
    """The text layout cannot show a blank cell: the two rows holding one are reported, never guessed."""
    lost = (("applications", "other_overdue_fee"), ("review_litigation", "cases"))
    problems = T.cell_problems(borderless, T.PDF_2021_PLAIN, skip_rows=lost)
    assert not problems, "\n".join(problems[:40])
    mismatches = {(f.table, f.row) for f in borderless.findings if f.code == "value_count_mismatch"}
    assert mismatches == set(lost)
    assert borderless.input_format == "pdf"
    assert (borderless.template, borderless.organization, borderless.report_year, borderless.published_on) == (
        "2021", "泉塘镇", 2022, "2023-01-10")


def test_borderless_wrapped_labels_are_joined(borderless):
    assert not any(f.code in ("label_inferred", "cells_unplaced") for f in borderless.findings)
    lines = read_document(T.fixture_bytes(T.PDF_2021_PLAIN), "x.pdf").grid.lines
    assert any(cells[0] == "2.其他法律行政法规禁止公开" for cells in lines)  # wrapped over a page break too


def test_layout_lines_split_on_two_spaces_and_join_wrapped_sub_labels():
    raw = [
        "第二十条第（一）项",
        "     规章              12         3          45",
        "     行政规范性文件       6          1          27",
        "第二十条第（五）项",
        "     （三）不予公开   1.属于国家秘       1    2    3",
        "                      密",
        "                      2.其他法律行       4    5    6",
        "                      政法规禁止公开",
    ]
    assert layout_lines(raw) == [
        ["第二十条第（一）项"],
        ["规章", "12", "3", "45"],
        ["行政规范性文件", "6", "1", "27"],
        ["第二十条第（五）项"],  # at the table's left edge: a line of its own, never glued to the row above
        ["（三）不予公开", "1.属于国家秘密", "1", "2", "3"],
        ["2.其他法律行政法规禁止公开", "4", "5", "6"],
    ]


def test_join_split_row():
    assert _join_split_row(["", "5.属于三类内部事", "905", "521"], ["", "务信息", "", ""]) == [
        "", "5.属于三类内部事 务信息", "905", "521"]
    # values that sat low in the row come with the rest
    assert _join_split_row(["", "5.属于三类", "", ""], ["", "内部事务信息", "905", "521"]) == [
        "", "5.属于三类 内部事务信息", "905", "521"]
    assert _join_split_row(["", "5.属于", "905", "521"], ["", "6.属于", "", ""]) is None  # a new numbered row
    assert _join_split_row(["", "a", "905", "521"], ["", "b", "1", "2"]) is None  # two numbers would meet
    assert _join_split_row(["a", "1"], ["b", "", ""]) is None  # another shape


# ------------------------------------------------------------------------------------------------
# Scans and broken files
# ------------------------------------------------------------------------------------------------


def test_scanned_pdf_is_refused(tmp_path):
    data = T.fixture_bytes(T.SCANNED_PDF)
    with pdfplumber.open(T.FIXTURES / T.SCANNED_PDF) as pdf:
        assert pdf.pages[0].images and not pdf.pages[0].chars  # an image, no text layer
    with pytest.raises(ParseError) as err:
        parse_bytes(data, file="scan.pdf")
    assert err.value.code == "scanned_pdf"
    path = tmp_path / "scan-without-extension"
    path.write_bytes(data)
    with pytest.raises(ParseError) as err:
        parse_file(path)
    assert err.value.code == "scanned_pdf"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF", "unreadable_pdf"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "unreadable_pdf"),
        (b"this is not a pdf at all", "unreadable_pdf"),
    ],
    ids=["no-pages", "garbage", "named-pdf-but-text"],
)
def test_unreadable_pdf(data, code):
    with pytest.raises(ParseError) as err:
        parse_bytes(data, file="broken.pdf")
    assert err.value.code == code


def test_encrypted_pdf():
    with pytest.raises(ParseError) as err:
        parse_bytes(T.fixture_bytes(T.ENCRYPTED_PDF), file="locked.pdf")
    assert err.value.code == "encrypted_pdf"


def test_truncated_pdf_fixture():
    data = T.fixture_bytes(T.PDF_2021)
    with pytest.raises(ParseError) as err:
        parse_bytes(data[: len(data) // 3], file="truncated.pdf")
    assert err.value.code in ("unreadable_pdf", "not_a_report", "scanned_pdf")
