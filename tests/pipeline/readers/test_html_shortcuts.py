"""The HTML reader's shortcuts give what the plain way gives: the charset read without parsing the head, the
text of an element without an XPath call, headings looked for only around `、`, cells and merged rows."""

from __future__ import annotations

import lxml.html
import pytest
from lxml import etree

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
    expand_rows,
)
from tests.support import reader_truth as T


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
