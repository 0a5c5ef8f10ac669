"""PDFs (issue 6): ruled tables over page breaks, the text-layout fallback, scans refused — every cell."""

from __future__ import annotations

import zlib

import pdfplumber
import pytest

from pipeline import ParseError, parse_bytes, parse_file
from pipeline.readers import read_document
from pipeline.readers.pdf import _join_split_row, layout_lines
from tests.support import reader_truth as T
from tests.support import variants as V
from tests.support.pdf_bytes import pdf_file


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


# ------------------------------------------------------------------------------------------------
# PDFium (issue 17): the same characters as pdfminer, damaged files cost their file only, limits first
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("truth", [T.PDF_2021, T.PDF_2021_PLAIN], ids=["ruled", "borderless"])
def test_pdfium_reads_the_characters_pdfminer_reads(truth):
    from pipeline.readers.pdf import load_pages

    pages = load_pages(T.fixture_bytes(truth))
    with pdfplumber.open(T.FIXTURES / truth.name) as pdf:
        assert len(pdf.pages) == len(pages)
        for theirs, ours in zip(pdf.pages, pages, strict=True):
            assert [c["text"] for c in theirs.chars] == [c[0] for c in ours.chars]
            for c, (_, x0, top, x1, bottom) in zip(theirs.chars, ours.chars, strict=True):
                assert abs(c["x0"] - x0) < 0.5 and abs(c["x1"] - x1) < 2.0  # from the origin; a wide glyph's ink
                assert abs(c["top"] - top) < 2.5 and abs(c["bottom"] - bottom) < 2.5


def test_ruled_fixture_rules_make_the_tables():
    from pipeline.readers.pdf import find_tables, load_pages

    pages = load_pages(T.fixture_bytes(T.PDF_2021))
    tables = [find_tables(p) for p in pages]
    assert all(tables)  # every page holds a ruled table
    first = tables[0][0]
    assert first.bbox[0] < first.bbox[2] and len(first.cells) >= 4
    assert not any(find_tables(p) for p in load_pages(T.fixture_bytes(T.PDF_2021_PLAIN)))


def test_every_truncated_copy_is_refused_as_truncated():
    data = T.fixture_bytes(T.PDF_2021)
    for cut in range(0, len(data) - 8, max(1, len(data) // 40)):
        with pytest.raises(ParseError) as err:
            parse_bytes(data[:cut] + b"\n" * 3, file="cut.pdf")
        assert err.value.code in ("unreadable_pdf", "not_a_report"), cut
        if data[:cut].startswith(b"%PDF-"):
            assert "truncated" in err.value.message


_DAMAGED = """
import random, sys
from pipeline import ParseError, parse_bytes
data = open(sys.argv[1], "rb").read()
rng = random.Random(17)
variants = [data[:k] + b"\\n%%EOF\\n" for k in range(0, len(data), max(1, len(data) // 60))]  # cut, then closed
for _ in range(60):
    b = bytearray(data)
    for _ in range(rng.randint(1, 30)):
        b[rng.randrange(len(b))] = rng.randrange(256)
    variants.append(bytes(b))
codes = {}
for v in variants:
    try:
        parse_bytes(v, file="x.pdf")
        codes["report"] = codes.get("report", 0) + 1
    except ParseError as e:
        codes[e.code] = codes.get(e.code, 0) + 1
print(sorted(codes.items()))
"""


@pytest.mark.parametrize("truth", [T.PDF_2021, T.PDF_2021_PLAIN], ids=["ruled", "borderless"])
def test_damaged_copies_never_crash_the_process(truth):
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-c", _DAMAGED, str(T.FIXTURES / truth.name)], capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]  # PDFium is C: a crash would kill the process
    codes = dict(eval(proc.stdout))
    assert set(codes) <= {"report", "unreadable_pdf", "not_a_report", "scanned_pdf", "encrypted_pdf"}
    assert codes.get("unreadable_pdf", 0) > 0
    assert proc.stderr == ""


def _one_page_pdf(content: bytes, compress: bool) -> bytes:
    """A hand-written one-page PDF whose content stream is `content` (Flate-compressed or not)."""
    stream = zlib.compress(content, 9) if compress else content
    filt = b" /Filter /FlateDecode" if compress else b""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(stream), filt, stream),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    return pdf_file(objs, root=1)


def test_a_content_stream_bomb_is_refused_before_any_page_is_read():
    bomb = _one_page_pdf(b"BT /F1 10 Tf 20 800 Td (report 2024) Tj ET\n" + b" " * (9 << 20), compress=True)
    assert len(bomb) < 20_000
    with pytest.raises(ParseError, match=r"inflates to more than 8 MB") as err:
        parse_bytes(bomb, "bomb.pdf")
    assert err.value.code == "too_complex"
    for size in (1 << 20, (1 << 20) - 43, 3 << 20):  # a stream that ends right at a 1 MB step is counted too
        small = _one_page_pdf(b"BT /F1 10 Tf 20 800 Td (report 2024) Tj ET\n" + b" " * size, compress=True)
        with pytest.raises(ParseError) as err:
            parse_bytes(small, "small.pdf")
        assert err.value.code == "not_a_report"  # read (its text holds no report), not refused as a bomb


def test_rules_from_lines_rectangles_and_thin_bars():
    from pipeline.readers.pdf import find_tables, load_pages

    # a 2 × 2 grid drawn three ways: stroked lines, one rectangle per cell, thin filled bars
    text = b"BT /F1 10 Tf 110 770 Td (a) Tj 100 0 Td (1) Tj -100 -50 Td (b) Tj 100 0 Td (2) Tj ET\n"
    lines = b"".join(b"100 %d m 300 %d l S\n" % (y, y) for y in (700, 750, 800)) + b"".join(
        b"%d 700 m %d 800 l S\n" % (x, x) for x in (100, 200, 300))
    boxes = b"".join(b"%d %d 100 50 re S\n" % (x, y) for x in (100, 200) for y in (700, 750))
    bars = b"".join(b"100 %.1f 200 1 re f\n" % (y - 0.5) for y in (700, 750, 800)) + b"".join(
        b"%.1f 700 1 100 re f\n" % (x - 0.5) for x in (100, 200, 300))
    for drawing in (lines, boxes, bars):
        pages = load_pages(_one_page_pdf(text + drawing, compress=False))
        tables = find_tables(pages[0])
        assert len(tables) == 1
        assert sorted(tables[0].texts.values()) == ["1", "2", "a", "b"]
        assert tables[0].bbox == pytest.approx((100, 42, 300, 142), abs=0.6)
