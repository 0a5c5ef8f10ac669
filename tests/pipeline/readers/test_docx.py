"""Word .docx (issue 6): paragraphs and tables in document order, merged cells expanded — every cell."""

from __future__ import annotations

import io
import zipfile

import pytest

from pipeline import ParseError, parse_bytes
from pipeline.readers import read_document
from tests.support import reader_truth as T
from tests.support import variants as V

DOCS = [T.DOCX_2021, T.DOCX_2021_PLAIN]


@pytest.fixture(scope="module", params=DOCS, ids=[t.name for t in DOCS])
def doc_report(request):
    truth = request.param
    return truth, parse_bytes(T.fixture_bytes(truth), file=truth.name)


def test_every_cell_in_its_row_and_column(doc_report):
    truth, report = doc_report
    problems = T.cell_problems(report, truth)
    assert not problems, "\n".join(problems[:40])
    assert len(report.cells) == V.CELL_COUNT[truth.template]


def test_metadata_and_format(doc_report):
    truth, report = doc_report
    assert report.input_format == "docx"
    assert report.encoding == "utf-8"
    assert (report.template, report.organization, report.report_year, report.published_on) == (
        truth.template, truth.organization, truth.report_year, truth.published_on)


def test_no_findings_and_identities_hold(doc_report):
    _, report = doc_report
    assert [f for f in report.findings if f.severity != "info"] == []
    assert report.checks and all(c.status == "pass" for c in report.checks)


def test_empty_word_cells_are_null(doc_report):
    truth, report = doc_report
    for key in (k for k, v in truth.values.items() if v is None):
        assert report.cell(*key).value is None


def _lines():
    return read_document(T.fixture_bytes(T.DOCX_2021), T.DOCX_2021.name).grid.lines


def test_document_order_paragraphs_then_tables():
    lines = _lines()
    assert lines[0] == ["泉塘镇2022年政府信息公开"] and lines[1] == ["工作年度报告"]  # a line break in the title
    i2 = lines.index(["二、主动公开政府信息情况"])
    i3 = lines.index(["三、收到和处理政府信息公开申请情况"])
    i4 = lines.index(["四、政府信息公开行政复议、行政诉讼情况"])
    header3 = ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]  # 总计's continuation dropped
    assert i2 < lines.index(["第二十条第（一）项"]) < i3 < lines.index(header3) < i4
    assert lines[-2:] == [["湘乡市泉塘镇人民政府"], ["2023年1月10日"]]
    assert ["1"] not in lines  # the footer's page number is not body text


def test_vertical_and_horizontal_merges():
    lines = _lines()
    app = lambda r: [T.raw_of(T.DOCX_2021, ("applications", r, c)) for c in V.APP_COLUMNS]  # noqa: E731
    assert ["三、本年度办理结果", "（一）予以公开", *app("granted")] in lines
    assert ["", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）", *app("partially_granted")] in lines
    assert ["", "（六）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            *app("other_overdue_correction")] in lines
    assert ["", "", "3.其他", *app("other_other")] in lines
    assert ["", "", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            *app("other_overdue_fee")] in lines
    assert "" in app("other_overdue_fee")  # the empty cell holds its place
    fee = T.raw_of(T.DOCX_2021, ("art20_8", "admin_fees", "fee_amount_wan_yuan"))
    assert ["行政事业性收费", fee] in lines  # gridSpan 3: once
    assert ["行政复议", "行政诉讼"] in lines


def _zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"PK\x03\x04" + b"\x00garbage" * 40, "report.docx", "unreadable_docx"),
        (_zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document"}), "report.docx",
         "unreadable_docx"),
        (_zip({"notes.txt": b"hello"}), "report.docx", "unreadable_docx"),
        (_zip({"notes.txt": b"hello"}), "archive.zip", "binary_file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024, "report.doc", "unsupported_format"),
        (b"plain text, not a zip", "report.docx", "unreadable_docx"),
    ],
    ids=["damaged-zip", "broken-xml", "zip-not-word", "zip-not-docx-named", "legacy-doc", "text-named-docx"],
)
def test_unreadable_word_files(data, name, code):
    with pytest.raises(ParseError) as err:
        parse_bytes(data, file=name)
    assert err.value.code == code
