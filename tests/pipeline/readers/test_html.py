"""HTML pages (issue 6): charset, article body, rowspan/colspan, Word spans, `&nbsp;` blanks — every cell."""

from __future__ import annotations

import codecs

import lxml.html
import pytest
from lxml import etree
from lxml import html as lxml_html

from pipeline import ParseError, parse_bytes
from pipeline.readers import read_document
from pipeline.readers.html import (
    _K_BLOCK,
    _article,
    _content,
    _declared_in_plain_head,
    _kind,
    cell_text,
    declared_charset,
    declared_charset_parsed,
    decode_html,
    expand_rows,
)
from tests.support import FIXTURES
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


# ------------------------------------------------------------------------------------------------
# The reader's shortcuts give what the plain way gives: the charset read without parsing the head, the text
# of an element without an XPath call, headings looked for only around `、`, cells and merged rows
# ------------------------------------------------------------------------------------------------


def _charset_by_lxml(data: bytes) -> str | None:
    """What `declared_charset` answers when the head is parsed."""
    return declared_charset_parsed(data[:65536])


# (head, whether the regexes decide it without lxml)
HEADS = [
    (b'<!DOCTYPE html>\n<html>\n<head>\n<meta charset="UTF-8">\n<title>x</title>', True),
    (b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312" />', True),
    (b'<?xml version="1.0" encoding="utf-8"?><html><head><meta http-equiv="Content-Type" content="charset=gbk">', True),
    (b"<head><title>2021\xc4\xea</title><link rel=stylesheet href=a.css><meta name=x content='y'><meta charset=big5>",
     True),
    (b"<!-- generated 2021-01-01 --><meta charset=gbk>", True),
    (b"<!-- <meta charset=utf-8> --><meta charset=gbk>", False),  # a tag in a comment: left to lxml
    (b"<meta charset=gb2312><meta charset=utf-8>", True),  # the first one counts
    (b'<meta http-equiv="Content-Type" content="text/html"><meta charset="bogus">', True),
    (b"<html/><head><meta charset=gbk>", False),  # libxml2 drops everything after `<html/>`
    (b"<script>var m = '<meta charset=utf-8>';</script><meta charset=gbk>", False),
    (b"<meta charset=utf-8 charset=gbk>", False),
    (b"<meta charset=utf-8/>", False),
    (b'<meta charset="utf&#45;8">', False),
    (b"<title>x</title>", False),  # nothing declared: lxml has the last word
    (b" " * 65530 + b'<meta charset="gbk">', False),  # cut off at 64 KB
]


@pytest.mark.parametrize(("head", "fast"), HEADS)
def test_plain_head_shortcut_agrees_with_lxml(head, fast):
    found, charset = _declared_in_plain_head(head[:65536].decode("iso-8859-1"))
    assert found == fast
    if found:
        assert charset == _charset_by_lxml(head)
    assert declared_charset(head) == _charset_by_lxml(head)


def test_content_is_text_content():
    root = lxml.html.document_fromstring(T.fixture_bytes(T.HTML_2021))
    for el in root.iter(etree.Element):
        assert _content(el) == el.text_content()


def _markers_of(page: str):
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    root = etree.fromstring(page.encode("utf-8"), parser)
    article, keep, _, _ = _article(root)
    return article, keep


@pytest.mark.parametrize("comma", ["、", "︑", "﹑", "､", "&#12289;"])
def test_heading_with_any_comma_nfkc_reads_as_one(comma):
    page = (f"<html><body><div class=nav>首页</div><div id=report><h2>二{comma}主动公开政府信息情况</h2>"
            "<p>" + "正文" * 30 + "</p></div><div class=footer>版权所有</div></body></html>")
    article, keep = _markers_of(page)
    assert article.tag == "h2" and article.getparent() in keep


def test_title_above_an_article_holding_a_long_table():
    rows = "".join(f"<tr><td>第二十条第（一）项规章制度行政规范性文件{k}</td><td>{k}</td></tr>" for k in range(6))
    page = ("<html><body><ul class=nav><li>首页</li></ul><div class=main><h1>某镇2021年政府信息公开工作年度报告</h1>"
            f"<h2>二、主动公开政府信息情况</h2><table>{rows}</table></div></body></html>")
    doc = read_document(page.encode("utf-8"), "page.html")
    assert doc.lines[0] == "某镇2021年政府信息公开工作年度报告"
    assert "首页" not in doc.lines


def test_kelvin_sign_tag_is_lower_cased_as_before():
    assert _kind("bloc\u212aquote") & _K_BLOCK
    td = lxml.html.fragment_fromstring("<table><tr><td>引<bloc\u212aquote>文</bloc\u212aquote>尾</td></tr></table>")
    assert cell_text(td.find(".//td")) == "引 文 尾"


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("<td valign=middle style='border:solid windowtext 1.0pt'><p class=MsoNormal style='text-align:center'>"
         "<span style='font-family:仿宋'>本年</span><span style='font-family:仿宋'>新收<o:p></o:p></span></p></td>",
         "本年新收"),
        ("<td><p style='DISPLAY: NONE'>9</p>3</td>", "3"),
        ("<td><span hidden>9</span>3<script>x</script></td>", "3"),
        ("<td>a<br>b</td>", "a b"),
    ],
)
def test_cell_text_twice(markup, text):
    """The second call is served from the cache of cleaned cell texts: same answer."""
    td = lxml.html.fragment_fromstring(f"<table><tr>{markup}</tr></table>").find(".//td")
    assert cell_text(td) == text
    assert cell_text(td) == text


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([[("a", 1, 1), ("b", 1, 0), ("c", 1, 1)]], [["a", "b", "c"]]),
        ([[("a", 1, 1), ("b", 1, -5), ("c", 1, 1)]], [["c", "a", "b"]]),  # a negative colspan moves back
        ([[("a", 2, 0), ("b", 1, 1)], [("c", 1, 1), ("d", 1, 1)]], [["a", "b"], ["c", "d"]]),
        ([[("x", 2, 2), ("1", 1, 1)], [("2", 1, 1)]], [["x", "1"], ["", "2"]]),
    ],
)
def test_expand_rows_odd_spans(rows, expected):
    assert expand_rows(rows) == expected


# ------------------------------------------------------------------------------------------------
# Nesting deeper than libxml2's default limit (issue 14)
# ------------------------------------------------------------------------------------------------


def _deep_page(depth: int) -> bytes:
    page = (FIXTURES / "html" / "wandong_2019_layout.html").read_bytes()
    return page.replace(b"<body topmargin=0>", b"<body topmargin=0>" + b"<div>" * depth, 1)


def test_html_nested_past_the_parsers_usual_limit_is_read():
    shallow = parse_bytes(_deep_page(10), "p.html")
    deep = parse_bytes(_deep_page(400), "p.html")  # libxml2 stops at 255 levels without huge_tree
    assert len(deep.cells) == len(shallow.cells) > 150
    assert deep.organization == shallow.organization


def test_html_nested_deeper_than_any_parser_reads_is_too_deep():
    with pytest.raises(ParseError) as err:
        parse_bytes(_deep_page(2100), "p.html")
    assert err.value.code == "too_deep" and "levels" in err.value.message
