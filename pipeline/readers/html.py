"""HTML pages → grid: charset, the article body, tables with rowspan/colspan expanded (issue 6, spec §10).

* Charset: a BOM, else the page's own `<meta charset>` / `http-equiv` Content-Type (GBK family → GB18030),
  else detection (`pipeline.decoding.decode`). A declared GBK/GB2312 page whose bytes are valid UTF-8
  with non-ASCII text is UTF-8 (the declaration was left behind when the page was re-saved).
* Parsing is lxml's HTML parser. Navigation, headers, footers, scripts and styles are dropped; the
  article is the smallest element holding the report's section headings and tables, widened to
  include the report title when that sits just above it.
* Walking the article in document order, each block of text is a one-cell line and each `<tr>` of a
  data table (a table with no table inside; outer layout tables are walked as blocks) one line of
  cells, merged cells expanded as in `pipeline.readers.cells`. Word-export `<span>` fragments and
  `<br>` inside a cell are joined; an `&nbsp;` cell is "" (blank → null, never 0).
"""

from __future__ import annotations

import codecs
import re

import lxml.html
from lxml import etree

from pipeline.decoding import decode
from pipeline.layout import Grid, split_line
from pipeline.model import ParseError
from pipeline.normalize import label_key
from pipeline.readers import Document, grid_lines_text
from pipeline.readers.cells import Slot, clean, finish_row
from pipeline.sections import HEADINGS

_GBK_FAMILY = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "csgb2312", "x-euc-cn"}
_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))

# Never content.
_DROP = frozenset({
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "select", "option",
    "button", "input", "textarea", "head", "map", "canvas", "audio", "video",
})
# Page furniture: dropped unless it holds the report itself.
_FURNITURE = frozenset({"nav", "header", "footer", "aside", "form", "menu"})
_NOISE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|menu|footer|breadcrumbs?|crumbs?|sidebar|share|toolbar|copyright|related|print)"
    r"(?:$|[\s_-])",
    re.I,
)
_BLOCK = frozenset({
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "section",
    "article", "main", "blockquote", "pre", "center", "address", "figure", "figcaption", "table", "tbody",
    "thead", "tfoot", "tr", "td", "th", "caption", "hr", "body", "html", *_FURNITURE,
})
_TITLE = re.compile(r"(?:19|20)\d{2}\s*年.{0,20}信息公开.{0,20}报告")
_HEADING_ORDINAL = re.compile(r"^[一二三四五六七八九十]{1,2}、")
_TABLE_ANCHORS = ("第二十条", "勾稽", "钩稽", "本年新收", "行政复议")


# ------------------------------------------------------------------------------------------------
# Charset
# ------------------------------------------------------------------------------------------------


def _canonical_charset(name: str) -> str | None:
    name = name.strip().lower()
    if name in _GBK_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_charset(data: bytes) -> str | None:
    """The charset the page declares in `<meta charset>` or `<meta http-equiv=Content-Type>`."""
    # The declaration is ASCII whatever the page's encoding: read the head as latin-1, which never fails.
    parser = lxml.html.HTMLParser(encoding="iso-8859-1", remove_comments=True)
    try:
        root = lxml.html.document_fromstring(data[:65536], parser=parser)
    except (etree.ParserError, ValueError):
        return None
    for meta in root.iter("meta"):
        charset = meta.get("charset")
        if charset:
            return _canonical_charset(charset)
        if (meta.get("http-equiv") or "").strip().lower() == "content-type":
            m = _CHARSET.search(meta.get("content") or "")
            if m:
                return _canonical_charset(m.group(1))
    return None


def decode_html(data: bytes) -> tuple[str, str, float]:
    """(text, encoding, confidence): BOM, then the declared charset, then detection."""
    for bom, _ in _BOMS:
        if data.startswith(bom):
            d = decode(data)
            return d.text, d.encoding, d.confidence
    declared = declared_charset(data)
    if declared == "gb18030" and not data.isascii():
        try:
            return data.decode("utf-8"), "utf-8", 0.99
        except UnicodeDecodeError:
            pass
    if declared:
        try:
            return data.decode(declared), declared, 1.0
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong declaration: detect instead
    d = decode(data)
    return d.text, d.encoding, d.confidence


# ------------------------------------------------------------------------------------------------
# Tree helpers
# ------------------------------------------------------------------------------------------------


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _hidden(el: etree._Element) -> bool:
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style or el.get("hidden") is not None


def _is_data_table(el: etree._Element) -> bool:
    return _tag(el) == "table" and not el.xpath(".//table")


def _text(el: etree._Element) -> str:
    return clean(el.text_content())


def _markers(body: etree._Element) -> list[etree._Element]:
    """Elements that are part of the report: its section headings and its data tables."""
    out: list[etree._Element] = []
    for el in body.iter():
        tag = _tag(el)
        if tag == "table":
            if _is_data_table(el) and any(a in label_key(el.text_content()) for a in _TABLE_ANCHORS):
                out.append(el)
        elif tag in _BLOCK or tag in ("span", "strong", "b", "font"):
            key = label_key(el.text_content())
            if len(key) <= 40 and _HEADING_ORDINAL.match(key) and any(
                p in key for phrases in HEADINGS.values() for p in phrases
            ):
                out.append(el)
    return out


def _ancestors(el: etree._Element) -> list[etree._Element]:
    chain = [el]
    while chain[-1].getparent() is not None:
        chain.append(chain[-1].getparent())
    return chain[::-1]


def _common_ancestor(elements: list[etree._Element]) -> etree._Element:
    chains = [_ancestors(e) for e in elements]
    common = chains[0][0]
    for level in zip(*chains, strict=False):
        if all(x is level[0] for x in level):
            common = level[0]
        else:
            break
    return common


def _title_element(body: etree._Element, before: etree._Element) -> etree._Element | None:
    """The report title closest above the first report element (a short block naming the year's report).

    Links (a list of other years' reports) and anything inside page furniture are no title.
    """
    best = None
    for el in body.iter():
        if el is before:
            break
        if _tag(el) in _BLOCK and _tag(el) not in ("body", "html"):
            text = _text(el)
            if len(text) <= 80 and _TITLE.search(text) and not _linked_or_furniture(el):
                best = el
    return best


def _linked_or_furniture(el: etree._Element) -> bool:
    if any(_tag(a) == "a" for a in el.iter()) or any(_tag(a) == "a" for a in el.iterancestors()):
        return True
    return any(_is_furniture(a, set()) for a in (el, *el.iterancestors()))


def _article(root: etree._Element) -> tuple[etree._Element, set[etree._Element], str | None]:
    """(the element holding the report, the elements to keep even if they look like furniture, title).

    `title` is the page's `<title>` text, used when no title is found in the body.
    """
    title_tag = root.find(".//title")
    page_title = _text(title_tag) if title_tag is not None else None
    body = root.find(".//body")
    if body is None:
        body = root
    markers = [m for m in _markers(body) if not _hidden(m)]
    if not markers:
        return body, set(), page_title
    article = _common_ancestor(markers)
    keep = {a for m in markers for a in _ancestors(m)}
    title = _title_element(body, markers[0])
    if title is not None:  # widen the article to the title above it (with the date line under the title)
        article = _common_ancestor([article, title])
        keep |= set(_ancestors(title))
        page_title = None
    return article, keep, page_title


def _is_furniture(el: etree._Element, keep: set[etree._Element]) -> bool:
    if el in keep:
        return False
    tag = _tag(el)
    if tag in _DROP or _hidden(el) or tag in _FURNITURE:
        return True
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    return bool(names.strip()) and _NOISE.search(names) is not None and tag in _BLOCK


# ------------------------------------------------------------------------------------------------
# Walking the article
# ------------------------------------------------------------------------------------------------


class _Walker:
    def __init__(self, keep: set[etree._Element]):
        self.keep = keep
        self.lines: list[list[str]] = []
        self.buf: list[str] = []
        self.tables = 0

    def flush(self, pre: bool = False) -> None:
        """End the current line; a `<pre>` line keeps its tabs and pipes (a text layout pasted in)."""
        raw = "".join(self.buf)
        self.buf = []
        text = raw.replace("\xa0", " ").strip("\r\n ") if pre else clean(raw)
        if text.strip():
            self.lines.append([text])

    def walk(self, el: etree._Element, pre: bool = False) -> None:
        tag = _tag(el)
        if not tag:  # comment or processing instruction
            return
        if _is_furniture(el, self.keep):
            return
        if tag == "br":
            self.flush()
            return
        if tag == "table" and _is_data_table(el):
            self.flush()
            self.table(el)
            return
        block = tag in _BLOCK
        pre = pre or tag == "pre"
        if block:
            self.flush()
        self.text(el.text, pre)
        for child in el:
            self.walk(child, pre)
            self.text(child.tail, pre)
        if block:
            self.flush()

    def text(self, text: str | None, pre: bool) -> None:
        if not text:
            return
        if not pre:
            self.buf.append(text)
            return
        parts = text.split("\n")
        for k, part in enumerate(parts):
            if k:
                self.flush(pre=True)
            self.buf.append(part)

    def table(self, table: etree._Element) -> None:
        rows = [tr for tr in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr") if not _hidden(tr)]
        caption = table.find("caption")
        if caption is not None and _text(caption):
            self.lines.append([_text(caption)])
        emitted = expand_rows([[(cell_text(td), _span(td, "rowspan"), _span(td, "colspan"))
                                for td in tr.xpath("./td | ./th")] for tr in rows])
        if any(len(cells) >= 2 for cells in emitted):
            self.tables += 1
        self.lines.extend(emitted)


def _span(td: etree._Element, attr: str) -> int:
    try:
        n = int((td.get(attr) or "1").strip())
    except ValueError:
        return 1
    return min(max(n, 1), 1000)


def cell_text(td: etree._Element) -> str:
    """A cell's text: Word `<span>` fragments joined as they are, `<br>` and paragraphs as a space."""
    parts: list[str] = []

    def walk(el: etree._Element) -> None:
        tag = _tag(el)
        if not tag or tag in _DROP or _hidden(el):
            return
        if tag == "br" or tag in _BLOCK:
            parts.append(" ")
        parts.append(el.text or "")
        for child in el:
            walk(child)
            parts.append(child.tail or "")
        if tag in _BLOCK:
            parts.append(" ")

    parts.append(td.text or "")
    for child in td:
        walk(child)
        parts.append(child.tail or "")
    return clean("".join(parts))


def expand_rows(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Rows of (text, rowspan, colspan) → rows of cells, merged cells emitted as in `cells.py`.

    A rowspan running past the last row is cut at the table's end (a common authoring slip).
    """
    n = len(rows)
    # from_above[row][col] = (origin text, whether col is the origin's leftmost column)
    from_above: dict[int, dict[int, tuple[str, bool]]] = {}
    out: list[list[str]] = []
    for r, cells in enumerate(rows):
        taken: dict[int, Slot | None] = {  # column → what this row shows there (None: covered, nothing)
            c: (Slot("", continued_from=text) if left else None) for c, (text, left) in from_above.pop(r, {}).items()
        }
        col = 0
        for text, rowspan, colspan in cells:
            while col in taken:
                col += 1
            taken[col] = Slot(text)
            for dc in range(1, colspan):
                taken.setdefault(col + dc, None)
            for dr in range(1, min(rowspan, n - r)):
                below = from_above.setdefault(r + dr, {})
                for dc in range(colspan):
                    below.setdefault(col + dc, (text, dc == 0))
            col += colspan
        out.append(finish_row([slot for _, slot in sorted(taken.items()) if slot is not None]))
    return out


# ------------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------------


def read_html(data: bytes) -> Document:
    text, encoding, confidence = decode_html(data)
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError("unreadable_html", f"the HTML cannot be parsed: {exc}") from exc
    article, keep, page_title = _article(root)
    walker = _Walker(keep)
    walker.walk(article)
    walker.flush()
    lines = walker.lines
    if page_title:
        # No title in the body: the page's <title> (minus the site name after `_`, `-`, `|`) stands in.
        title = next((p for p in re.split(r"\s*[_|｜—-]\s*", page_title) if _TITLE.search(p)), None)
        if title:
            lines = [[title], *lines]
    if walker.tables:
        grid = Grid(lines, exact=True)
    else:
        # No table grid at all (a report pasted as text into the page): read its lines as a text layout.
        grid = Grid([split_line(cells[0]) if len(cells) == 1 else cells for cells in lines], exact=False)
    return Document(grid, grid_lines_text(grid), encoding, confidence, "html")
