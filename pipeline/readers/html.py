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
import contextlib
import re
import sys

import lxml.html
from lxml import etree

from pipeline import limits
from pipeline.decoding import Decoded, confidence_of, decode, replacing_decode
from pipeline.layout import Grid, split_line
from pipeline.model import ParseError
from pipeline.normalize import label_key
from pipeline.readers import Document, grid_lines_text
from pipeline.readers.cells import Slot, clean, finish_row
from pipeline.sections import HEADINGS

_GBK_FAMILY = {"gb2312", "gbk", "gb18030", "gb_2312-80", "x-gbk", "cp936", "euc-cn", "csgb2312", "x-euc-cn"}
_CHARSET = re.compile(r"charset\s*=\s*[\"']?\s*([A-Za-z0-9_:.\-]+)", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# A plain head, token by token: whitespace, a doctype, an `<?xml ?>`, a comment without `--` or `!` inside,
# <html>/<head> (never self-closed: libxml2 drops the rest of `<html/>`) and <meta>/<link>/<base> with printable-ASCII
# attribute values (no `&`), a text-only <title>.
_ATTR_VALUE = r"""(?:"[^"<>&\x00-\x1f\x7f-\xff]*"|'[^'<>&\x00-\x1f\x7f-\xff]*'|[A-Za-z0-9_.:;+-]+(?![^ \t\r\n>]))"""
_ATTRS = rf"(?:[ \t\r\n]+[A-Za-z][A-Za-z0-9_:.-]*(?:[ \t\r\n]*=[ \t\r\n]*{_ATTR_VALUE})?)*"
_HEAD_TOKEN = re.compile(
    r"[ \t\r\n]+|<!doctype[^<>]*>|<\?[^<>]*\?>|<!--(?:[^<>!-]|-(?=[^<>!-]))*-->"
    rf"|<(?P<tag>meta|link|base)(?P<attrs>{_ATTRS})[ \t\r\n]*/?>|<(?:html|head){_ATTRS}[ \t\r\n]*>"
    rf"|<title{_ATTRS}[ \t\r\n]*>[^<]*</title[ \t\r\n]*>|</head[ \t\r\n]*>",
    re.I | re.A,
)
_HEAD_ATTR = re.compile(rf"[ \t\r\n]+([A-Za-z][A-Za-z0-9_:.-]*)(?:[ \t\r\n]*=[ \t\r\n]*({_ATTR_VALUE}))?", re.A)

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
    head = data[:65536]
    found, charset = _declared_in_plain_head(head.decode("iso-8859-1"))
    if found:
        return charset
    if b"charset" not in head.lower() and b"&#" not in head and b"\x00" not in head:
        # No `<meta>` can declare a charset without the word (libxml2 lower-cases ASCII names only, and a
        # character reference could spell it): parsing the head could only answer None.
        return None
    return declared_charset_parsed(head)


def declared_charset_parsed(head: bytes) -> str | None:
    """The `<meta>` charset as lxml parses the head: the way every head not plain enough for the regexes goes."""
    parser = etree.HTMLParser(encoding="iso-8859-1", remove_comments=True)
    try:
        root = lxml.html.document_fromstring(head, parser=parser)
    except (etree.ParserError, ValueError):
        return None
    for meta in root.iter("meta"):
        found, charset = _meta_charset(meta.get("charset"), meta.get("http-equiv"), meta.get("content"))
        if found:
            return charset
    return None


def _meta_charset(charset: str | None, http_equiv: str | None, content: str | None) -> tuple[bool, str | None]:
    """(whether this `<meta>` settles the charset, the charset): a non-empty `charset`, else a Content-Type."""
    if charset:
        return True, _canonical_charset(charset)
    if (http_equiv or "").strip().lower() == "content-type":
        m = _CHARSET.search(content or "")
        if m:
            return True, _canonical_charset(m.group(1))
    return False, None


def _declared_in_plain_head(head: str) -> tuple[bool, str | None]:
    """(found, charset) read with regexes from a head of nothing but plain tags (`_HEAD_TOKEN`).

    Parsing 64 KB just to find a `<meta>` costs as much as parsing the page itself. Up to the deciding
    `<meta>`, a plain head means the same elements to any HTML parser; anything else (a script, text, an
    odd attribute) is (False, None) and left to lxml.
    """
    pos, end = 0, len(head)
    while pos < end:
        m = _HEAD_TOKEN.match(head, pos)
        if m is None:
            return False, None
        pos = m.end()
        if (m.group("tag") or "").lower() != "meta":
            continue
        attrs: dict[str, str] = {}
        text, at = m.group("attrs"), 0
        while at < len(text):  # the attributes exactly as _HEAD_TOKEN matched them
            a = _HEAD_ATTR.match(text, at)
            if a is None:
                return False, None
            at = a.end()
            name, value = a.group(1).lower(), a.group(2) or ""
            if name in attrs:
                return False, None  # a repeated attribute: the parser's rule, not ours
            attrs[name] = value[1:-1] if value[:1] in ("'", '"') else value
        found, charset = _meta_charset(attrs.get("charset"), attrs.get("http-equiv"), attrs.get("content"))
        if found:
            return True, charset
    return False, None


def decode_html(data: bytes) -> tuple[str, str, float]:
    """(text, encoding, confidence): BOM, then the declared charset, then detection."""
    d = decode_page(data)
    return d.text, d.encoding, d.confidence


def decode_page(data: bytes) -> Decoded:
    """The page's text: BOM, then the declared charset, then detection. A page that is UTF-8 or its declared
    charset but for a few bad bytes is decoded with U+FFFD in their place (`pipeline.decoding`)."""
    for bom, _ in _BOMS:
        if data.startswith(bom):
            return decode(data)
    declared = declared_charset(data)
    if declared == "gb18030" and not data.isascii():
        try:
            return Decoded(data.decode("utf-8"), "utf-8", 0.99)
        except UnicodeDecodeError:
            pass
        lenient = replacing_decode(data, "utf-8", evidence=True)  # re-saved as UTF-8, and a byte damaged
        if lenient is not None:
            return Decoded(lenient[0], "utf-8", min(0.99, confidence_of(lenient[1], len(data))), lenient[1])
    if declared:
        try:
            return Decoded(data.decode(declared), declared, 1.0)
        except (UnicodeDecodeError, LookupError):
            pass  # a wrong declaration, or a few bad bytes
        lenient = replacing_decode(data, declared, evidence=declared == "utf-8")
        if lenient is not None:
            return Decoded(lenient[0], declared, confidence_of(lenient[1], len(data)), lenient[1])
    return decode(data)


# ------------------------------------------------------------------------------------------------
# Tree helpers
# ------------------------------------------------------------------------------------------------

# What a tag is, as bits, worked out once per tag name (`_kind`). Names are lower-cased here as before: libxml2
# lower-cases ASCII only, and `<blocKquote>` written with a Kelvin sign (U+212A) is still a blockquote.
_K_NOT_ELEMENT, _K_DROP, _K_FURNITURE, _K_BLOCK, _K_BR, _K_TABLE, _K_PRE, _K_HEADING = 1, 2, 4, 8, 16, 32, 64, 128
_KINDS: dict[object, int] = {}
_HIDDEN_STYLES: dict[str, bool] = {}
_CLEANED: dict[str, str] = {}  # short cell text → clean(text)
# `、` or a character NFKC turns into one (the only ones): a numbered heading holds one.
_COMMA = re.compile("[\u3001\ufe11\ufe51\uff64]")
# 41 CJK ideographs: NFKC, whitespace and quote removal keep each one, so `label_key` is longer than 40.
_OVER_40_IDEOGRAPHS = re.compile(r"(?:[^\u4e00-\u9fff]*+[\u4e00-\u9fff]){41}")
# 81 CJK ideographs: longer than 80 after `clean` too.
_OVER_80_IDEOGRAPHS = re.compile(r"(?:[^\u4e00-\u9fff]*+[\u4e00-\u9fff]){81}")
# 81 characters `clean` keeps: the text is longer than 80.
_OVER_80_CHARS = re.compile(r"(?:[\s\u200b\ufeff]*+[^\s\u200b\ufeff]){81}")


def _kind(tag: object) -> int:
    """The `_K_*` bits of a tag name (a comment's or PI's tag is no string: `_K_NOT_ELEMENT`)."""
    kind = _KINDS.get(tag)
    if kind is None:
        low = tag.lower() if isinstance(tag, str) else ""
        kind = (
            (0 if low else _K_NOT_ELEMENT)
            | (_K_DROP if low in _DROP else 0)
            | (_K_FURNITURE if low in _FURNITURE else 0)
            | (_K_BLOCK if low in _BLOCK else 0)
            | (_K_BR if low == "br" else 0)
            | (_K_TABLE if low == "table" else 0)
            | (_K_PRE if low == "pre" else 0)
            | (_K_HEADING if low != "table" and (low in _BLOCK or low in ("span", "strong", "b", "font")) else 0)
        )
        if len(_KINDS) < 4096:  # a page of made-up tag names must not grow it for ever
            _KINDS[tag] = kind
    return kind


def _content(el: etree._Element) -> str:
    """`HtmlElement.text_content()` (XPath `string()`: every text node inside), for a third of an XPath call."""
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


def _tag(el: etree._Element) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _hidden(el: etree._Element) -> bool:
    style = el.get("style")
    if style:
        hidden = _HIDDEN_STYLES.get(style)
        if hidden is None:
            hidden = _hidden_style(style)
        if hidden:
            return True
    return el.get("hidden") is not None


def _hidden_style(style: str) -> bool:
    """`display:none` or `visibility:hidden`, remembered per style: a Word page repeats a handful on every cell."""
    flat = style.replace(" ", "").lower()
    hidden = "display:none" in flat or "visibility:hidden" in flat
    if len(_HIDDEN_STYLES) < 4096:
        _HIDDEN_STYLES[style] = hidden
    return hidden


def _text(el: etree._Element) -> str:
    return clean(_content(el))


def _is_heading(el: etree._Element) -> bool:
    """A section heading of the report: a short numbered line naming one of the sections."""
    text = _content(el)
    if _OVER_40_IDEOGRAPHS.match(text):  # no need to normalise a long text
        return False
    key = label_key(text)
    return len(key) <= 40 and _HEADING_ORDINAL.match(key) is not None and any(
        p in key for phrases in HEADINGS.values() for p in phrases
    )


def _anchored(text: str) -> bool:
    """The table names one of the report's tables.

    The anchors are CJK ideographs, which `label_key` keeps in place: found in the raw text, they are in the
    key too, and only a table without them needs normalising.
    """
    return any(a in text for a in _TABLE_ANCHORS) or any(a in label_key(text) for a in _TABLE_ANCHORS)


def _markers(body: etree._Element) -> tuple[list[etree._Element], set[etree._Element], set[etree._Element]]:
    """(elements that are part of the report, in document order: its section headings and its data tables;
    the elements holding a data table of over 80 CJK ideographs; every data table of the page).

    One pass over the page: a heading's text holds `、`, so only the elements around such text are tried as
    headings, not every block. An element holding a long table is no heading and no title, which spares
    building the text of the whole article to find out. (libxml2 lower-cases ASCII tag names, so
    `el.tag == "table"` is `_tag(el) == "table"`.)
    """
    out: list[etree._Element] = []
    big: set[etree._Element] = set()
    tables: list[etree._Element] = []
    holders: list[etree._Element] = []  # elements with a `、` in their own text (or a child's tail)
    for el in body.iter():
        if el.tag == "table":
            tables.append(el)
        text = el.text
        if text and _COMMA.search(text) and isinstance(el.tag, str):  # a comment's text is no text
            holders.append(el)
        text = el.tail
        if text and el is not body and _COMMA.search(text):
            holders.append(el.getparent())
    outer: set[etree._Element] = set()  # tables with a table inside: layout, walked as blocks
    for table in tables:
        for up in table.iterancestors("table"):
            if up in outer:
                break
            outer.add(up)
    data_tables = {table for table in tables if table not in outer}
    for table in tables:
        if table in outer:
            continue
        text = _content(table)
        if _anchored(text):
            out.append(table)
        if _OVER_80_IDEOGRAPHS.match(text):
            up = table
            while up is not None and up not in big:
                big.add(up)
                up = None if up is body else up.getparent()
    seen: set[etree._Element] = set()
    for el in holders:
        while el is not None and el not in seen:
            seen.add(el)
            if _kind(el.tag) & _K_HEADING and el not in big and _is_heading(el):
                out.append(el)
            if el is body:
                break
            el = el.getparent()
    return sorted(out, key=lambda el: _position(el, body)), big, data_tables


def _position(el: etree._Element, top: etree._Element) -> list[int]:
    """Child indexes from `top` down to `el`: sorts elements in document order."""
    path: list[int] = []
    while el is not top:
        parent = el.getparent()
        path.append(parent.index(el))
        el = parent
    return path[::-1]


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


def _title_element(body: etree._Element, before: etree._Element, big: set[etree._Element]) -> etree._Element | None:
    """The report title closest above the first report element (a short block naming the year's report).

    Links (a list of other years' reports) and anything inside page furniture are no title. `big`: elements
    known to hold over 80 characters.
    """
    best = None
    for el in body.iter():
        if el is before:
            break
        if _tag(el) in _BLOCK and _tag(el) not in ("body", "html") and el not in big:
            raw = _content(el)
            if _OVER_80_CHARS.match(raw):  # a wrapper around the article: too long to be a title
                continue
            text = clean(raw)
            if len(text) <= 80 and _TITLE.search(text) and not _linked_or_furniture(el):
                best = el
    return best


def _linked_or_furniture(el: etree._Element) -> bool:
    if any(_tag(a) == "a" for a in el.iter()) or any(_tag(a) == "a" for a in el.iterancestors()):
        return True
    return any(_is_furniture(a, set()) for a in (el, *el.iterancestors()))


def _article(
    root: etree._Element,
) -> tuple[etree._Element, set[etree._Element], str | None, set[etree._Element]]:
    """(the element holding the report, the elements to keep even if they look like furniture, title,
    the data tables: tables with no table inside).

    `title` is the page's `<title>` text, used when no title is found in the body.
    """
    title_tag = root.find(".//title")
    page_title = _text(title_tag) if title_tag is not None else None
    body = root.find(".//body")
    if body is None:
        body = root
    markers, big, data_tables = _markers(body)
    markers = [m for m in markers if not _hidden(m)]
    if not markers:
        return body, set(), page_title, data_tables
    article = _common_ancestor(markers)
    keep = {a for m in markers for a in _ancestors(m)}
    title = _title_element(body, markers[0], big)
    if title is not None:  # widen the article to the title above it (with the date line under the title)
        article = _common_ancestor([article, title])
        keep |= set(_ancestors(title))
        page_title = None
    return article, keep, page_title, data_tables


def _is_furniture(el: etree._Element, keep: set[etree._Element]) -> bool:
    if el in keep:
        return False
    kind = _kind(el.tag)
    return bool(kind & (_K_DROP | _K_FURNITURE)) or _hidden(el) or (bool(kind & _K_BLOCK) and _noisy(el))


def _noisy(el: etree._Element) -> bool:
    """Named (class or id) as navigation, a footer, a share bar …"""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return False
    names = f"{cls or ''} {ident or ''}"
    return bool(names.strip()) and _NOISE.search(names) is not None


# ------------------------------------------------------------------------------------------------
# Walking the article
# ------------------------------------------------------------------------------------------------


class _Walker:
    def __init__(self, keep: set[etree._Element], data_tables: set[etree._Element]):
        self.keep = keep
        self.data_tables = data_tables
        self.lines: list[list[str]] = []
        self.buf: list[str] = []
        self.tables = 0
        self.cells = 0  # expanded cells of the tables walked so far (`limits.MAX_HTML_CELLS`)

    def flush(self, pre: bool = False) -> None:
        """End the current line; a `<pre>` line keeps its tabs and pipes (a text layout pasted in)."""
        if not self.buf:
            return
        raw = "".join(self.buf)
        self.buf = []
        text = raw.replace("\xa0", " ").strip("\r\n ") if pre else clean(raw)
        if text.strip():
            self.lines.append([text])

    def walk(self, el: etree._Element, pre: bool = False) -> None:
        kind = _kind(el.tag)
        if kind & _K_NOT_ELEMENT:  # comment or processing instruction
            return
        if _is_furniture(el, self.keep):
            return
        if kind & _K_BR:
            self.flush()
            return
        if kind & _K_TABLE and el in self.data_tables:
            self.flush()
            self.table(el)
            return
        block = kind & _K_BLOCK
        pre = pre or bool(kind & _K_PRE)
        if block:
            self.flush()
        self.text(el.text, pre)
        for child in el[:]:
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
        rows = [tr for tr in _rows(table) if not _hidden(tr)]
        caption = table.find("caption")
        if caption is not None and _text(caption):
            self.lines.append([_text(caption)])
        spans: list[list[tuple[str, int, int]]] = []
        area = 0  # cells of the table once its merged cells are expanded
        left = len(rows)  # rows from this one to the table's end: how far a rowspan can reach
        for tr in rows:
            row = []
            for td in tr[:]:  # ./td | ./th
                if td.tag == "td" or td.tag == "th":
                    names = td.keys()  # most cells span nothing: no attribute to look up
                    if "rowspan" in names or "colspan" in names:
                        rowspan, colspan = _span(td, "rowspan"), _span(td, "colspan")
                        area += min(rowspan, left) * colspan
                        row.append((cell_text(td), rowspan, colspan))
                    else:
                        area += 1
                        row.append((cell_text(td), 1, 1))
            spans.append(row)
            left -= 1
        self.cells += area
        if area > limits.MAX_TABLE_CELLS or self.cells > limits.MAX_HTML_CELLS:
            raise limits.too_complex(
                f"a table of the page expands to {area:,} cells once its merged cells are spread "
                f"({self.cells:,} in the page's tables so far; at most {limits.MAX_TABLE_CELLS:,} per table and "
                f"{limits.MAX_HTML_CELLS:,} per page)")
        emitted = expand_rows(spans)
        if any(len(cells) >= 2 for cells in emitted):
            self.tables += 1
        self.lines.extend(emitted)


def _rows(table: etree._Element) -> list[etree._Element]:
    """The table's own rows in order: `./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr`, without an XPath per table."""
    rows: list[etree._Element] = []
    for child in table[:]:
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(tr for tr in child[:] if tr.tag == "tr")
    return rows


def _span(td: etree._Element, attr: str) -> int:
    value = td.get(attr)
    if not value:
        return 1
    try:
        n = int(value.strip())
    except ValueError:
        return 1
    return min(max(n, 1), limits.MAX_SPAN)


def cell_text(td: etree._Element) -> str:
    """A cell's text: Word `<span>` fragments joined as they are, `<br>` and paragraphs as a space."""
    if len(td):
        parts = [td.text or ""]
        _cell_parts(td, parts)
        raw = "".join(parts)
    else:  # most cells: their own text only
        raw = td.text or ""
    text = _CLEANED.get(raw)
    if text is None:  # `clean` is a pure function, and a table repeats "0", "" and its labels
        text = clean(raw)
        if len(raw) <= 64:
            if len(_CLEANED) >= 65536:
                _CLEANED.clear()
            _CLEANED[raw] = text
    return text


def _cell_parts(el: etree._Element, parts: list[str]) -> None:
    """The text of `el`'s children and their tails; hidden and never-content elements give only their tail.

    The hot loop of a Word page (a `<p>` of `<span>`s in every cell): `el[:]` costs less than an iterator,
    and `_hidden` is inlined.
    """
    for child in el[:]:
        kind = _KINDS.get(child.tag)
        if kind is None:
            kind = _kind(child.tag)
        if not kind & (_K_NOT_ELEMENT | _K_DROP):
            style = child.get("style")
            hidden = False
            if style:
                hidden = _HIDDEN_STYLES.get(style)
                if hidden is None:
                    hidden = _hidden_style(style)
            if not hidden and child.get("hidden") is None:
                if kind & (_K_BR | _K_BLOCK):
                    parts.append(" ")
                text = child.text
                if text:
                    parts.append(text)
                if len(child):
                    _cell_parts(child, parts)
                if kind & _K_BLOCK:
                    parts.append(" ")
        text = child.tail
        if text:
            parts.append(text)


def expand_rows(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Rows of (text, rowspan, colspan) → rows of cells, merged cells emitted as in `cells.py`.

    A rowspan running past the last row is cut at the table's end (a common authoring slip).
    """
    n = len(rows)
    # from_above[row][col] = (origin text, whether col is the origin's leftmost column)
    from_above: dict[int, dict[int, tuple[str, bool]]] = {}
    out: list[list[str]] = []
    own: dict[str, Slot] = {}  # one (frozen) Slot per text: cells repeat "0" and "" all over a table
    for r, cells in enumerate(rows):
        above = from_above.pop(r, None)
        if above is None and all(type(rs) is int and type(cs) is int and cs >= 1 for _, rs, cs in cells):
            # Nothing reaches into this row and every cell moves on by its colspan: its cells, in order, as
            # `finish_row` gives them when no slot continues a cell from above (a row of blanks is []).
            texts: list[str] = []
            col = 0
            for text, rowspan, colspan in cells:
                texts.append(text)
                if rowspan > 1:
                    _reach_down(from_above, text, r, col, min(rowspan, n - r), colspan)
                col += colspan
            out.append(texts if "".join(texts).strip() else [])
            continue
        taken: dict[int, Slot | None] = {  # column → what this row shows there (None: covered, nothing)
            c: (Slot("", continued_from=text) if left else None) for c, (text, left) in (above or {}).items()
        }
        col = 0
        for text, rowspan, colspan in cells:
            while col in taken:
                col += 1
            slot = own.get(text)
            if slot is None:
                slot = own[text] = Slot(text)
            taken[col] = slot
            for dc in range(1, colspan):
                taken.setdefault(col + dc, None)
            if type(rowspan) is not int or rowspan > 1:
                _reach_down(from_above, text, r, col, min(rowspan, n - r), colspan)
            col += colspan
        out.append(finish_row([slot for _, slot in sorted(taken.items()) if slot is not None]))
    return out


def _reach_down(from_above: dict[int, dict[int, tuple[str, bool]]], text: str, r: int, col: int, rows: int,
                colspan: int) -> None:
    """Note the columns a cell of row `r` covers in the `rows - 1` rows below it."""
    for dr in range(1, rows):
        below = from_above.setdefault(r + dr, {})
        for dc in range(colspan):
            below.setdefault(col + dc, (text, dc == 0))


# ------------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _recursion_room(depth: int):
    """Python's recursion limit raised to `depth` for the walk of a deeply nested page, then restored.
    Python-to-Python calls use no C stack (3.11+), so this only moves the guard."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, depth + 1000))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)



def _parse(encoded: bytes, huge: bool = False) -> tuple[etree._Element, bool]:
    """(the page's root, whether the parser stopped at its nesting limit and dropped the rest)."""
    # lxml's plain elements: lxml.html's element classes cost a Python call for every element touched.
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=huge)
    try:
        root = lxml.html.document_fromstring(encoded, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ParseError("unreadable_html", f"the HTML cannot be parsed: {exc}") from exc
    last = parser.error_log.last_error  # the depth limit is fatal: parsing stops there, it is the last error
    return root, last is not None and last.type_name == "ERR_RESOURCE_LIMIT" and "depth" in last.message


def read_html(data: bytes) -> Document:
    """The page's grid. Refused before parsing when it holds more tags than `limits.MAX_HTML_TAGS`.

    libxml2 stops at 255 levels of nested elements and drops the rest of the page (unclosed `<font>` or
    `<div>` tags of a broken editor nest that deep): such a page is parsed again with lxml's `huge_tree`,
    which reads 2,047 levels. That lifts libxml2's other limits too (a text node over 10 MB), which the
    limits on the file's size and its tags keep bounded. A page nested deeper still is refused as
    `too_deep` rather than read in part.
    """
    tags = data.count(b"<") if len(data) > limits.MAX_HTML_TAGS else 0  # a smaller page cannot hold as many
    if tags > limits.MAX_HTML_TAGS:
        raise limits.too_complex(f"the page holds {tags:,} tags (at most {limits.MAX_HTML_TAGS:,} are read)")
    decoded = decode_page(data)
    text = decoded.text
    encoded = text.encode("utf-8")
    root, deep = _parse(encoded)
    if deep:
        root, cut = _parse(encoded, huge=True)
        if cut:
            raise ParseError("too_deep", f"the page nests its elements more than {limits.MAX_DEPTH:,} levels "
                             "deep: the HTML parser stops there, and the rest of the page would be lost")
    # The walk recurses once per level: a page past the parser's usual 255 levels needs more room than 1,000.
    with _recursion_room(2 * limits.MAX_DEPTH) if deep else contextlib.nullcontext():
        article, keep, page_title, data_tables = _article(root)
        walker = _Walker(keep, data_tables)
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
    return Document(grid, grid_lines_text(grid), decoded.encoding, decoded.confidence, "html", decoded.replaced)
