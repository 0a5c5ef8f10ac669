"""HTML pages (issue 6): charset, article body, rowspan/colspan, Word spans, `&nbsp;` blanks — every cell."""

from __future__ import annotations

import codecs

import pytest
from lxml import html as lxml_html

from pipeline import parse_bytes
from pipeline.readers import read_document
from pipeline.readers.html import cell_text, declared_charset, decode_html, expand_rows
from tests.support import reader_truth as T
from tests.support import variants as V

PAGES = [T.HTML_2021, T.HTML_2019]


@pytest.fixture(scope="module", params=PAGES, ids=[t.name for t in PAGES])
def page(request):
    truth = request.param
    return truth, parse_bytes(T.fixture_bytes(truth), file=truth.name)


def test_every_cell_in_its_row_and_column(page):
    truth, report = page
    problems = T.cell_problems(report, truth)
    assert not problems, "\n".join(problems[:40])
    assert len(report.cells) == V.CELL_COUNT[truth.template]


def test_metadata_and_format(page):
    truth, report = page
    assert report.input_format == "html"
    assert report.template == truth.template
    assert report.organization == truth.organization
    assert report.report_year == truth.report_year
    assert report.published_on == truth.published_on
    assert report.to_dict()["input_format"] == "html"


def test_no_findings_and_identities_hold(page):
    _, report = page
    assert [f for f in report.findings if f.severity != "info"] == []
    assert report.checks and all(c.status == "pass" for c in report.checks)


def test_nbsp_cells_are_null_not_zero(page):
    truth, report = page
    blanks = [k for k, v in truth.values.items() if v is None]
    assert blanks
    for key in blanks:
        cell = report.cell(*key)
        assert cell is not None and cell.value is None and cell.raw == ""
    # …and they count as 0 where an identity needs them, flagged as having had nulls
    assert any(c.had_nulls and c.status == "pass" for c in report.checks)


def test_gbk_page_is_reported_as_gb18030():
    report = parse_bytes(T.fixture_bytes(T.HTML_2021), file=T.HTML_2021.name)
    assert report.encoding == "gb18030"
    assert report.encoding_confidence == 1.0


def test_http_equiv_utf8_page():
    report = parse_bytes(T.fixture_bytes(T.HTML_2019), file=T.HTML_2019.name)
    assert report.encoding == "utf-8"


# ------------------------------------------------------------------------------------------------
# Charset: BOM, declaration, detection
# ------------------------------------------------------------------------------------------------


def _page_text() -> str:
    return T.fixture_bytes(T.HTML_2021).decode("gb18030")


def test_declared_charset_forms():
    assert declared_charset(b'<html><head><meta charset="gbk"></head>') == "gb18030"
    assert declared_charset(b"<meta http-equiv='Content-Type' content='text/html; charset=GB2312'>") == "gb18030"
    assert declared_charset(b'<META HTTP-EQUIV="content-type" CONTENT="text/html;charset=utf-8">') == "utf-8"
    assert declared_charset(b"<html><head><title>x</title></head></html>") is None
    assert declared_charset(b'<meta charset="no-such-charset">') is None


def test_no_declaration_falls_back_to_detection():
    text = _page_text().replace('<meta charset="gbk">', "")
    report = parse_bytes(text.encode("gb18030"), file="page.html")
    assert report.encoding == "gb18030"
    assert not T.cell_problems(report, T.HTML_2021)


def test_bom_wins_over_the_declaration():
    data = codecs.BOM_UTF8 + _page_text().encode("utf-8")  # still says charset=gbk
    report = parse_bytes(data, file="page.html")
    assert report.encoding == "utf-8-sig"
    assert not T.cell_problems(report, T.HTML_2021)


def test_utf16_page_with_bom():
    data = _page_text().encode("utf-16")
    report = parse_bytes(data, file="page.htm")
    assert report.encoding == "utf-16"
    assert not T.cell_problems(report, T.HTML_2021)


def test_stale_gbk_declaration_on_utf8_bytes():
    text, encoding, _ = decode_html(_page_text().encode("utf-8"))
    assert encoding == "utf-8" and "长皋乡" in text


def test_wrong_declaration_is_not_trusted_blindly():
    # declared UTF-8, but the bytes are GB18030: strict decoding fails, detection takes over
    data = _page_text().replace('charset="gbk"', 'charset="utf-8"').encode("gb18030")
    text, encoding, _ = decode_html(data)
    assert encoding == "gb18030" and "长皋乡" in text


# ------------------------------------------------------------------------------------------------
# The article body: navigation, header, footer, scripts out; title and dates in
# ------------------------------------------------------------------------------------------------


def test_page_furniture_is_dropped_and_title_comes_first():
    doc = read_document(T.fixture_bytes(T.HTML_2021), "page.html")
    text = "\n".join(doc.lines)
    for noise in ("首页", "互动交流", "当前位置", "相关报告", "2020年政府信息公开工作年度报告", "分享到", "打印本页",
                  "版权所有", "网站标识码", "_hmt", "getElementById", "float: left"):
        assert noise not in text, noise
    assert doc.lines[0] == "北票市长皋乡人民政府2021年政府信息公开工作年度报告"
    assert doc.lines[1].startswith("发布时间：2022-01-20")  # the info bar under the title: prose, not a table
    assert doc.lines[-2:] == ["北票市长皋乡人民政府", "2022年1月18日"]
    assert len(doc.lines) == len(doc.grid.lines) and doc.grid.exact


def test_layout_tables_are_walked_as_blocks():
    doc = read_document(T.fixture_bytes(T.HTML_2019), "page.html")
    assert doc.lines[0] == "万东镇人民政府2019年政府信息公开工作年度报告"
    text = "\n".join(doc.lines)
    for noise in ("门户网站", "信息公开指南", "版权所有"):
        assert noise not in text
    assert ["二、主动公开政府信息情况"] in doc.grid.lines  # a heading is a one-cell line of its own


def test_section_headings_are_single_cell_lines():
    doc = read_document(T.fixture_bytes(T.HTML_2021), "page.html")
    for heading in ("一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"):
        assert [heading] in doc.grid.lines


# ------------------------------------------------------------------------------------------------
# Table grid: rowspan → "" below, colspan → once, trailing header continuations dropped
# ------------------------------------------------------------------------------------------------


def _line(doc, label: str) -> list[str]:
    """The grid line holding `label`, spaces (from `<br>` in the fixture's labels) removed."""
    return next([c.replace(" ", "") for c in cells] for cells in doc.grid.lines
                if any(c.replace(" ", "") == label for c in cells))


def test_merged_cells_in_the_grid():
    doc = read_document(T.fixture_bytes(T.HTML_2021), "page.html")
    v = T.HTML_2021.values
    app = lambda r: [T.raw_of(T.HTML_2021, ("applications", r, c)) for c in V.APP_COLUMNS]  # noqa: E731
    # the first row of the 22-row group carries the group label; later rows hold "" in its place
    assert _line(doc, "（一）予以公开") == ["三、本年度办理结果", "（一）予以公开", *app("granted")]
    assert _line(doc, "1.属于国家秘密") == ["", "（三）不予公开", "1.属于国家秘密", *app("denied_state_secret")]
    forbidden = "2.其他法律行政法规禁止公开"
    assert _line(doc, forbidden) == ["", "", forbidden, *app("denied_law_forbidden")]
    assert _line(doc, "3.其他") == ["", "", "3.其他", *app("other_other")]
    assert _line(doc, "四、结转下年度继续办理") == ["四、结转下年度继续办理", *app("carried_forward")]
    # a value spanning three columns appears once
    assert _line(doc, "行政许可") == ["行政许可", str(v[("art20_5", "licensing", "decisions")])]
    # 3rd header row of table 三: the 总计 continuation at its end is dropped, the leading ones kept
    assert _line(doc, "商业企业") == ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    # table 四: the five review labels span two header rows
    assert _line(doc, "未经复议直接起诉")[-2:] == ["未经复议直接起诉", "复议后起诉"]
    review = [T.raw_of(T.HTML_2021, ("review_litigation", "cases", c)) for c in V.REVIEW_COLUMNS]
    assert review in [[c.replace(" ", "") for c in cells] for cells in doc.grid.lines]
    assert "" in review  # the &nbsp; cell holds its place


def test_expand_rows():
    rows = [
        [("A", 3, 2), ("B", 1, 3)],
        [("C", 2, 1), ("D", 1, 1), ("E", 2, 1)],
        [("F", 1, 1)],
        [("G", 1, 2), ("1", 1, 1), ("2", 1, 1)],
    ]
    assert expand_rows(rows) == [["A", "B"], ["", "C", "D", "E"], ["", "", "F"], ["G", "1", "2"]]


def test_expand_rows_rowspan_past_the_end_and_blank_rows():
    assert expand_rows([[("A", 5, 1), ("1", 1, 1)], [("2", 1, 1)]]) == [["A", "1"], ["", "2"]]
    assert expand_rows([[("", 1, 1), ("", 1, 2)]]) == [[]]


def test_value_continuation_at_row_end_is_kept():
    # a merged *value* cell over two rows: its continuation is a blank value slot, not dropped
    assert expand_rows([[("x", 1, 1), ("7", 2, 1)], [("y", 1, 1)]]) == [["x", "7"], ["y", ""]]


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<td><span lang=EN-US>1</span><span lang=EN-US>2<o:p></o:p></span></td>", "12"),
        ("<td><p class=MsoNormal><span>本年新</span><span>制作数量</span></p></td>", "本年新制作数量"),
        ("<td>本年新<br/>制作数量</td>", "本年新 制作数量"),
        ("<td><p>&nbsp;</p></td>", ""),
        ("<td>\u3000</td>", ""),
        ("<td><span style='display:none'>9</span>3</td>", "3"),
        ("<td><p>第一段</p><p>第二段</p></td>", "第一段 第二段"),
    ],
)
def test_cell_text(markup, text):
    td = lxml_html.fragment_fromstring(f"<table><tr>{markup}</tr></table>").find(".//td")
    assert cell_text(td) == text


def test_report_pasted_as_text_in_pre():
    """A page without a table grid: its text is read as a text layout (here seed 001's pipes)."""
    body = V.seed_text("001").replace("&", "&amp;").replace("<", "&lt;")
    page = f"<html><head><meta charset='utf-8'></head><body><div class='nav'>首页</div><pre>{body}</pre></body></html>"
    report = parse_bytes(page.encode("utf-8"), file="pasted.html")
    assert report.input_format == "html"
    assert not V.cell_mismatches(report, V.seed_expected("001"))
    assert report.organization == V.SEED_META["001"]["organization"]


def test_title_from_the_page_title_when_the_body_has_none():
    """No title in the body: the <title> (site name cut off) stands in, never the sidebar's other years."""
    text = _page_text()
    start = text.index('<h1 class="title">')
    text = text[:start] + text[text.index("</h1>", start) + len("</h1>"):]
    doc = read_document(text.encode("gb18030"), "page.html")
    assert doc.lines[0] == "北票市长皋乡人民政府2021年政府信息公开工作年度报告"
    report = parse_bytes(text.encode("gb18030"), file="page.html")
    assert (report.organization, report.report_year) == ("北票市长皋乡人民政府", 2021)
    assert not T.cell_problems(report, T.HTML_2021)


def test_declared_charset_in_xhtml_and_not_in_comments():
    xhtml = (b'<?xml version="1.0" encoding="utf-8"?><html><head>'
             b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312" /></head></html>')
    assert declared_charset(xhtml) == "gb18030"
    assert declared_charset(b'<!-- <meta charset="utf-8"> --><meta charset="gbk">') == "gb18030"
