"""PDF with a text layer → grid (issues 6, 17): PDFium's characters and ruling lines, a text-layout fallback.

Why PDFium (pypdfium2): it parses the page in C and hands over every character with its box (about 2.5
ms a page); this reader takes about 5 ms a page where pdfplumber (pdfminer, in Python) took about 50 ms
and 2 KB per character. What pdfplumber added on top (its table finder, its text layout) is done here
from those boxes, with the same rules and tolerances, so that a report reads the same cells as before:

* Page by page, top to bottom: ruled tables become lines of cells. The rules are the page's path
  objects (every horizontal or vertical straight segment: lines, the sides of rectangles, thin filled
  bars), snapped and joined within 3 points; a cell is a rectangle enclosed by them, a table is a
  group of cells that touch. Merged cells are expanded as in `pipeline.readers.cells` (a merged cell
  of the same row → a colspan, emitted once; a row below, at the merged cell's left edge → "").
  The text outside the tables becomes one-cell lines.
* Pages without ruled tables are read as a text layout: characters cluster into lines by their top
  (3 points), into words at gaps over 3 points, and each word is placed at its column (x / 7.25
  points), so a run of 2+ spaces separates cells; a sub-label wrapped onto the next line is joined
  back. Such a grid cannot show a blank cell, so it is not `exact`: a row with a blank is short, and
  extraction reports it instead of guessing.
* A table that runs over a page break simply continues: the grid is one list of lines, page numbers in
  the top and bottom margins are dropped, and a row cut in two by the break is joined again.
* Refused: a PDF without a text layer (a scan: `scanned_pdf`, it needs OCR, never guessing), an encrypted
  one (`encrypted_pdf`), a damaged or truncated one, or one whose glyphs have no Unicode mapping
  (`unreadable_pdf`); one that would expand past `pipeline.limits` (`too_complex`), checked before a page
  is interpreted. PDFium is C: a damaged file is refused by its checks, never read past its end, and the
  batch pool (`pipeline.batch`) still runs every file in a worker process of its own.
"""

from __future__ import annotations

import bisect
import ctypes
import itertools
import re
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2
import pypdfium2.raw as _c

from pipeline import limits
from pipeline.layout import Grid
from pipeline.model import ParseError
from pipeline.normalize import parse_value
from pipeline.readers import Document, grid_lines_text
from pipeline.readers.cells import Slot, clean, finish_row

_MARGIN = 0.08  # top and bottom share of the page where running headers and page numbers live
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$"
)
_CELL = re.compile(r"\S+(?: \S+)*")  # a cell of the text layout: words separated by single spaces
_ORDINAL = re.compile(r"^(?:\d{1,2}\s*[.、．]|[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)")
_MIN_TEXT_CHARS = 20  # fewer visible characters than this per page, with images: a scan
_TOL = 1.0  # points: the same cell edge
_X_TOL = 3.0  # points: a gap wider than this between two characters starts a new word
_Y_TOL = 3.0  # points: characters whose tops are this close (chained) are on one line
_X_DENSITY = 7.25  # points per column of the text layout
_SNAP = 3.0  # points: rules this close are one rule (snapped to their mean), joined over gaps this short
_MIN_RULE = 3.0  # points: a shorter rule is no cell edge
_TAIL = 4096  # bytes at the end of the file where a complete PDF has its `%%EOF`
_PDFIUM = threading.Lock()  # PDFium is not thread-safe: one document at a time per process
_MOVETO, _LINETO = _c.FPDF_SEGMENT_MOVETO, _c.FPDF_SEGMENT_LINETO
# PDFium's path functions and the buffers they fill, bound once: a path has a handful of points and a ruled
# page hundreds of paths, so looking them up each time would cost as much as the calls (used under _PDFIUM).


def _pdfium() -> ctypes.CDLL:
    """The PDFium library pypdfium2 loaded (the same file opened again: the OS loads it once)."""
    import pypdfium2_raw.bindings as bindings

    lib = getattr(bindings, "_libs", {}).get("pdfium")
    if lib is None:
        lib = ctypes.CDLL(str(next(Path(bindings.__file__).parent.glob("*pdfium.*"))))
    return lib


def _fast(name: str, restype: type, argtypes: tuple | None = None):
    """PDFium's function `name` with plain C types: pypdfium2's bindings convert a typed handle on every
    call, which costs as much as the call (characters and path points are read by the thousand). The
    handles passed are PDFium's own, as addresses; a new function object, pypdfium2's keeps its types."""
    fn = _pdfium()[name]
    fn.restype, fn.argtypes = restype, argtypes
    return fn


_VOID = ctypes.c_void_p
_X, _Y = ctypes.c_float(), ctypes.c_float()
_SEGMENT_API = (_fast("FPDFPath_GetPathSegment", _VOID, (_VOID, ctypes.c_int)),
                _fast("FPDFPathSegment_GetPoint", ctypes.c_int, (_VOID, _VOID, _VOID)),
                _fast("FPDFPathSegment_GetType", ctypes.c_int, (_VOID,)), _X, _Y,
                ctypes.addressof(_X), ctypes.addressof(_Y))
_COUNT_SEGMENTS = _fast("FPDFPath_CountSegments", ctypes.c_int, (_VOID,))
_GET_CLOSE = _fast("FPDFPathSegment_GetClose", ctypes.c_int, (_VOID,))
_OBJECT_API = (_fast("FPDFPage_CountObjects", ctypes.c_int, (_VOID,)),
               _fast("FPDFPage_GetObject", _VOID, (_VOID, ctypes.c_int)),
               _fast("FPDFFormObj_CountObjects", ctypes.c_int, (_VOID,)),
               _fast("FPDFFormObj_GetObject", _VOID, (_VOID, ctypes.c_ulong)),
               _fast("FPDFPageObj_GetType", ctypes.c_int, (_VOID,)),
               _fast("FPDFPageObj_GetMatrix", ctypes.c_int, (_VOID, _VOID)))
_GET_BOUNDS = _fast("FPDFPageObj_GetBounds", ctypes.c_int, (_VOID, _VOID, _VOID, _VOID, _VOID))
_IMAGE, _PATH, _FORM = _c.FPDF_PAGEOBJ_IMAGE, _c.FPDF_PAGEOBJ_PATH, _c.FPDF_PAGEOBJ_FORM
_TEXT_API = (_fast("FPDFText_IsGenerated", ctypes.c_int), _fast("FPDFText_GetUnicode", ctypes.c_uint),
             _fast("FPDFText_GetLooseCharBox", ctypes.c_int), _fast("FPDFText_HasUnicodeMapError", ctypes.c_int))
_BOUNDS = tuple(ctypes.c_float() for _ in range(4))
_BOUNDS_AT = tuple(ctypes.addressof(v) for v in _BOUNDS)

# A character: its text and box in points, from the top-left corner of the page as displayed.
_Char = tuple[str, float, float, float, float]  # text, x0, top, x1, bottom
_Box = tuple[float, float, float, float]  # x0, top, x1, bottom


def _short(text: str, keep: int = 120) -> str:
    return text if len(text) <= keep else text[:keep] + "…"


# ------------------------------------------------------------------------------------------------
# Opening, refusals and limits
# ------------------------------------------------------------------------------------------------


def _open(data: bytes):
    """The pypdfium2 document, or the refusal: truncated, encrypted, or damaged past reading."""
    if b"%%EOF" not in data[-_TAIL:]:
        # PDFium rebuilds a truncated file from what is left and would read part of a report as if whole.
        raise ParseError("unreadable_pdf",
                         "the PDF is truncated: it ends before its structure is complete (an interrupted download?)")
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as exc:
        if exc.err_code in (_c.FPDF_ERR_PASSWORD, _c.FPDF_ERR_SECURITY):
            raise ParseError("encrypted_pdf", "the PDF is encrypted (a password is needed to read it)") from exc
        if exc.err_code == _c.FPDF_ERR_PAGE:
            raise ParseError("unreadable_pdf", "the PDF's page tree is damaged: no page can be read") from exc
        raise ParseError("unreadable_pdf", f"the PDF's structure is damaged ({_short(str(exc))})") from exc


def check_size(doc, data: bytes) -> None:
    """Refuse a PDF that would expand past the limits (`pipeline.limits`) before any page is interpreted:
    its page count and each page's size (from the page tree alone), and what its content streams
    inflate to (counted in 1 MB steps, never kept). The characters are counted page by page as the
    pages are loaded (`_Reader.load`)."""
    pages = len(doc)
    if pages > limits.MAX_PDF_PAGES:
        raise limits.too_complex(f"the PDF has {pages:,} pages (at most {limits.MAX_PDF_PAGES:,} are read)")
    size = _c.FS_SIZEF()
    for k in range(pages):
        if not _c.FPDF_GetPageSizeByIndexF(doc, k, size):
            continue  # a page PDFium cannot size: loading it decides
        if max(size.width, size.height) > limits.MAX_PAGE_SIDE:
            raise limits.too_complex(
                f"page {k + 1} of the PDF is {size.width:,.0f} × {size.height:,.0f} points (at most "
                f"{limits.MAX_PAGE_SIDE:,}, 200 inches, the largest page PDF allows); laying out its text would "
                "fill gigabytes")
    largest, total = _content_sizes(data, limits.MAX_PAGE_CONTENT, limits.MAX_PAGE_CONTENT * max(1, pages))
    if largest > limits.MAX_PAGE_CONTENT or total > limits.MAX_PAGE_CONTENT * max(1, pages):
        raise limits.too_complex(
            f"the content of the PDF inflates to more than {limits.MAX_PAGE_CONTENT // limits.MIB} MB a stream or a "
            "page (a page of text and tables: well under 1 MB)")


_STREAM = re.compile(rb">>\s*stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
# Streams that may inflate far past a page's content without being read as content: images, fonts, files.
_NOT_CONTENT = re.compile(rb"/Subtype\s*/Image|/Length[123]\b|/Subtype\s*/(?:Type1C|CIDFontType0C|OpenType)|"
                          rb"/Type\s*/(?:EmbeddedFile|XObject\s*/Subtype\s*/Image)")


def _content_sizes(data: bytes, limit: int, total_limit: int) -> tuple[int, int]:
    """(the largest, the sum) of what the Flate streams other than images, fonts and attachments inflate
    to, each counted up to just past `limit`; the scan stops once the sum passes `total_limit`. A stream
    that does not inflate (encrypted, damaged) counts as nothing: PDFium decides what it holds."""
    largest = total = 0
    for m in _STREAM.finditer(data):
        head_start = max(0, m.start() - 2048)
        objs = list(_OBJ.finditer(data, head_start, m.start()))
        head = data[objs[-1].start() if objs else head_start:m.start()]
        if b"/FlateDecode" not in head and b"/Fl " not in head and b"/Fl]" not in head:
            continue
        if _NOT_CONTENT.search(head):
            continue
        end = data.find(b"endstream", m.end())
        raw = memoryview(data)[m.end():end if end >= 0 else len(data)]
        inflate = zlib.decompressobj()
        size = 0
        chunk: bytes | memoryview = raw
        try:
            while chunk and size <= limit and not inflate.eof:  # past its end, a stream's tail would loop
                size += len(inflate.decompress(chunk, limits.MIB))
                chunk = inflate.unconsumed_tail
        except zlib.error:
            pass
        largest, total = max(largest, size), total + size
        if largest > limit or total > total_limit:
            break
    return largest, total


# ------------------------------------------------------------------------------------------------
# Characters and rules of a page, from PDFium
# ------------------------------------------------------------------------------------------------


@dataclass
class _Page:
    """What the layout needs of one page: its characters, its rules and whether it shows images."""

    width: float
    height: float
    chars: list[_Char]
    unmapped: int  # characters without a Unicode mapping
    images: int
    h_rules: list[tuple[float, float, float]]  # (y, x0, x1)
    v_rules: list[tuple[float, float, float]]  # (x, top, bottom)
    outside: list[_Char] = field(default_factory=list)  # the characters outside its tables (`find_tables`)


def _display(page) -> tuple[float, float, Callable[[float, float], tuple[float, float]], bool, tuple[float, float]]:
    """(width, height, the map from PDF user space to the displayed page with its origin top-left,
    whether the page is upright, the user-space point at the top left of an upright page)."""
    left, bottom, right, top = page.get_mediabox()
    rotation = page.get_rotation() % 360
    width, height = right - left, top - bottom
    if rotation == 90:
        return height, width, lambda x, y: (y - bottom, x - left), False, (left, top)
    if rotation == 180:
        return width, height, lambda x, y: (right - x, y - bottom), False, (left, top)
    if rotation == 270:
        return height, width, lambda x, y: (top - y, right - x), False, (left, top)
    return width, height, lambda x, y: (x - left, top - y), True, (left, top)


def _load_page(doc, k: int, budget: int) -> _Page:
    """Page k: its characters (counted against `budget` before they are read) and its rules."""

    page = doc[k]
    try:
        width, height, to_display, upright, origin = _display(page)
        text = page.get_textpage()
        try:
            n = text.count_chars()
            if n > limits.MAX_PAGE_CHARS:
                raise limits.too_complex(f"page {k + 1} of the PDF holds {n:,} characters (at most "
                                         f"{limits.MAX_PAGE_CHARS:,} per page are read)")
            if n > budget:
                raise limits.too_complex(f"the PDF holds more than {limits.MAX_PDF_CHARS:,} characters (at most "
                                         f"{limits.MAX_PDF_CHARS:,} are read)")
            chars, unmapped = _chars(text.raw, n, None if upright else to_display, origin)
        finally:
            text.close()
        h_rules: list[tuple[float, float, float]] = []
        v_rules: list[tuple[float, float, float]] = []
        images = _objects(page.raw, None if upright else to_display, origin, h_rules, v_rules)
        return _Page(width, height, chars, unmapped, images, h_rules, v_rules)
    finally:
        page.close()


def _chars(text, n: int, to_display: Callable[[float, float], tuple[float, float]] | None,
           origin: tuple[float, float]) -> tuple[list[_Char], int]:
    """The characters of a text page that the PDF draws (not the spaces and line breaks PDFium infers),
    with their loose boxes (origin to advance, descent to ascent: pdfminer's boxes). `to_display` maps a
    rotated page; an upright one is only shifted to `origin` (its mediabox's left and top)."""
    generated, unicode, loose, map_error = _TEXT_API
    text = ctypes.cast(text, _VOID)
    rect = _c.FS_RECTF()
    ref = ctypes.byref(rect)
    left, top = origin
    chars: list[_Char] = []
    unmapped = 0
    for i in range(n):
        u = unicode(text, i)
        if u in (0x20, 0x0D, 0x0A) and generated(text, i) == 1:
            continue  # PDFium's inferred spaces and line breaks: the layout below infers its own
        if not loose(text, i, ref):
            continue
        if map_error(text, i) == 1:
            unmapped += 1
            ch = "\ufffd"
        elif u in (0x0D, 0x0A):
            continue
        else:
            ch = chr(u) if 0 < u < 0x110000 else "\ufffd"
        if to_display is None:
            chars.append((ch, rect.left - left, top - rect.top, rect.right - left, top - rect.bottom))
            continue
        x0, y0 = to_display(rect.left, rect.top)
        x1, y1 = to_display(rect.right, rect.bottom)
        chars.append((ch, min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)))
    return chars, unmapped


def _objects(page, to_display, origin: tuple[float, float], h_rules: list, v_rules: list) -> int:
    """Collect the page's rules (every horizontal or vertical straight segment of its paths, in forms too)
    into h_rules / v_rules; return how many images it shows."""
    count_objects, get_object, count_in_form, get_in_form, get_type, get_matrix = _OBJECT_API
    matrix = _c.FS_MATRIX()
    matrix_at = ctypes.addressof(matrix)
    images = 0
    left, top = origin
    # An upright page: user space → display is a shift and a flip, folded into the objects' matrices.
    base = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0) if to_display else (1.0, 0.0, 0.0, -1.0, -left, top)

    def walk(container: int, count: Callable, get: Callable, outer: tuple[float, ...]) -> None:
        nonlocal images
        for i in range(count(container)):
            obj = get(container, i)
            if not obj:
                continue
            kind = get_type(obj)
            if kind == _IMAGE:
                images += 1
            elif kind in (_PATH, _FORM):
                if kind == _PATH and _thin_rule(obj, outer, to_display, h_rules, v_rules):
                    continue
                m = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
                if get_matrix(obj, matrix_at):
                    m = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
                m = _compose(m, outer)
                if kind == _PATH:
                    _path_rules(obj, m, to_display, h_rules, v_rules)
                else:
                    walk(obj, count_in_form, get_in_form, m)

    walk(ctypes.cast(page, _VOID).value, count_objects, get_object, base)
    return images


def _thin_rule(obj, outer: tuple[float, ...], to_display, h_rules: list, v_rules: list) -> bool:
    """A path at most 3 points thick (a stroked line, a thin filled bar: how Word and LibreOffice draw
    borders) is one rule along its middle, read from its bounds alone; False for any other path. Its two
    long sides would be snapped into that one rule anyway, and its short ends are shorter than a rule."""
    if not _GET_BOUNDS(obj, *_BOUNDS_AT):
        return False
    a, b, cc, d, e, f = outer
    left, bottom, right, top = (v.value for v in _BOUNDS)
    corners = [(x * a + y * cc + e, x * b + y * d + f) for x, y in ((left, bottom), (right, top))]
    if to_display:
        corners = [to_display(*p) for p in corners]
    (x0, y0), (x1, y1) = corners
    x0, x1, y0, y1 = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    if y1 - y0 <= _SNAP and x1 - x0 >= _MIN_RULE:
        h_rules.append(((y0 + y1) / 2, x0, x1))
        return True
    if x1 - x0 <= _SNAP and y1 - y0 >= _MIN_RULE:
        v_rules.append(((x0 + x1) / 2, y0, y1))
        return True
    return x1 - x0 <= _SNAP and y1 - y0 <= _SNAP  # a dot: no rule at all


def _compose(m: tuple[float, ...], outer: tuple[float, ...]) -> tuple[float, ...]:
    """The matrix m followed by outer (PDF row-vector convention)."""
    a, b, cc, d, e, f = m
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, cc * A + d * C, cc * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _path_rules(obj, m: tuple[float, ...], to_display, h_rules: list, v_rules: list) -> None:
    """The straight horizontal and vertical segments of a path (m: to the display, or to user space that
    `to_display` maps), a closed subpath's closing segment included."""
    a, b, cc, d, e, f = m
    get_segment, get_point, get_type, x, y, px, py = _SEGMENT_API
    segments = []
    for i in range(_COUNT_SEGMENTS(obj)):
        seg = get_segment(obj, i)
        if not seg or not get_point(seg, px, py):
            continue
        u, v = x.value, y.value
        point = (u * a + v * cc + e, u * b + v * d + f)
        segments.append((seg, get_type(seg), to_display(*point) if to_display else point))
    start = prev = None
    last = len(segments) - 1
    for k, (seg, kind, point) in enumerate(segments):
        if kind == _MOVETO:
            start = prev = point
            continue
        if kind == _LINETO and prev is not None:
            _add_rule(prev, point, h_rules, v_rules)
        prev = point
        ends_subpath = k == last or segments[k + 1][1] == _MOVETO
        if start is not None and (ends_subpath or kind != _LINETO) and _GET_CLOSE(seg):
            _add_rule(point, start, h_rules, v_rules)
            prev = start


def _add_rule(p: tuple[float, float], q: tuple[float, float], h_rules: list, v_rules: list) -> None:
    if p[1] == q[1] and p[0] != q[0]:
        h_rules.append((p[1], min(p[0], q[0]), max(p[0], q[0])))
    elif p[0] == q[0] and p[1] != q[1]:
        v_rules.append((p[0], min(p[1], q[1]), max(p[1], q[1])))


# ------------------------------------------------------------------------------------------------
# Ruled tables: rules → cells → tables (pdfplumber's "lines" strategy, its tolerances)
# ------------------------------------------------------------------------------------------------


def _clusters(values: list[float], tolerance: float) -> dict[float, int]:
    """Each value → the index of its cluster: sorted values chained while each is within `tolerance`
    of the one before."""
    out: dict[float, int] = {}
    k, last = -1, None
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            k += 1
        out[v] = k
        last = v
    return out


def _merge_rules(rules: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Rules at positions within 3 points snapped to their mean, then collinear pieces joined over gaps
    of up to 3 points; rules shorter than 3 points dropped."""
    rules = [r for r in rules if r[2] - r[1] >= 1.0]
    cluster = _clusters([r[0] for r in rules], _SNAP)
    groups: dict[int, list[tuple[float, float, float]]] = {}
    for r in rules:
        groups.setdefault(cluster[r[0]], []).append(r)
    out: list[tuple[float, float, float]] = []
    for members in groups.values():
        pos = sum(r[0] for r in members) / len(members)
        members.sort(key=lambda r: r[1])
        lo, hi = members[0][1], members[0][2]
        for _, a, b in members[1:]:
            if a <= hi + _SNAP:
                hi = max(hi, b)
            else:
                out.append((pos, lo, hi))
                lo, hi = a, b
        out.append((pos, lo, hi))
    return [r for r in out if r[2] - r[1] >= _MIN_RULE]


class _Table:
    """A ruled table: its cells (x0, top, x1, bottom), their text, and which cell covers each slot of the
    grid that their edges draw."""

    def __init__(self, cells: list[_Box]) -> None:
        self.cells = cells
        self.texts: dict[_Box, str] = {}
        self.xs = sorted({v for c in cells for v in (c[0], c[2])})
        self.ys = sorted({v for c in cells for v in (c[1], c[3])})
        col = {x: j for j, x in enumerate(self.xs)}
        row = {y: i for i, y in enumerate(self.ys)}
        self.slot: dict[tuple[int, int], _Box] = {}
        for box in cells:
            for i in range(row[box[1]], row[box[3]]):
                for j in range(col[box[0]], col[box[2]]):
                    self.slot.setdefault((i, j), box)
        self.bbox: _Box = (self.xs[0], self.ys[0], self.xs[-1], self.ys[-1])

    def cell_at(self, x: float, y: float) -> _Box | None:
        """The cell whose slot holds the point (left and top edges inclusive)."""
        return self.slot.get((bisect.bisect_right(self.ys, y) - 1, bisect.bisect_right(self.xs, x) - 1))


def find_tables(page: _Page) -> list[_Table]:
    """The ruled tables of a page: the rectangles enclosed by its rules, grouped by shared corners."""
    hs, vs = _merge_rules(page.h_rules), _merge_rules(page.v_rules)
    if not hs or not vs:
        return []
    # intersections: (x, y) → the rules through it (a rule reaches a point within 3 points)
    through: dict[tuple[float, float], tuple[set[int], set[int]]] = {}
    for i, (y, x0, x1) in enumerate(hs):
        for j, (x, top, bottom) in enumerate(vs):
            if top - _SNAP <= y <= bottom + _SNAP and x0 - _SNAP <= x <= x1 + _SNAP:
                h, v = through.setdefault((x, y), (set(), set()))
                h.add(i)
                v.add(j)
    cells = _cells(through)
    tables = [_Table(group) for group in _group_cells(cells) if len(group) > 1]
    if tables:
        _fill(tables, page)
    return tables


def _fill(tables: list[_Table], page: _Page) -> None:
    """Each cell's text: the characters whose centre lies in it (left and top edges inclusive); the page's
    characters whose centre lies outside every table (edges included) are kept in `page.outside`."""
    inside: dict[_Box, list[_Char]] = {box: [] for table in tables for box in table.cells}
    boxes = [(table, *table.bbox) for table in tables]
    outside: list[_Char] = []
    for ch in page.chars:
        x, y = (ch[1] + ch[3]) / 2, (ch[2] + ch[4]) / 2
        for table, x0, top, x1, bottom in boxes:
            if x0 <= x <= x1 and top <= y <= bottom:
                box = table.cell_at(x, y)
                if box is not None and _center_in(ch, box):
                    inside[box].append(ch)
                break
        else:
            outside.append(ch)
    for table in tables:
        for box in table.cells:
            members = inside[box]
            table.texts[box] = clean(_text_of(members)) if members else ""
    page.outside = outside


def _cells(through: dict[tuple[float, float], tuple[set[int], set[int]]]) -> list[_Box]:
    """From each intersection, the smallest rectangle whose four sides are rules through its corners."""
    by_x: dict[float, list[tuple[float, float]]] = {}
    by_y: dict[float, list[tuple[float, float]]] = {}
    for p in sorted(through, key=lambda p: (p[0], p[1])):
        by_x.setdefault(p[0], []).append(p)
    for p in sorted(through, key=lambda p: (p[1], p[0])):
        by_y.setdefault(p[1], []).append(p)
    at_x = {p: k for column in by_x.values() for k, p in enumerate(column)}
    at_y = {p: k for row in by_y.values() for k, p in enumerate(row)}
    out: list[_Box] = []
    for (x, y), (h1, v1) in through.items():
        right = [p for p in by_y[y][at_y[(x, y)] + 1:] if through[p][0] & h1]
        if not right:
            continue
        found = None
        for bx, by in by_x[x][at_x[(x, y)] + 1:]:
            if not through[(bx, by)][1] & v1:
                continue
            bh = through[(bx, by)][0]
            for rx, ry in right:
                corner = through.get((rx, by))
                if corner is not None and corner[1] & through[(rx, ry)][1] and corner[0] & bh:
                    found = (x, y, rx, by)
                    break
            if found:
                break
        if found:
            out.append(found)
    return out


def _group_cells(cells: list[_Box]) -> list[list[_Box]]:
    """Cells grouped into tables: cells sharing a corner are in one table; top to bottom, left to right."""
    parent = list(range(len(cells)))

    def root(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    owner: dict[tuple[float, float], int] = {}
    for k, (x0, top, x1, bottom) in enumerate(cells):
        for p in ((x0, top), (x0, bottom), (x1, top), (x1, bottom)):
            other = owner.setdefault(p, k)
            if other != k:
                parent[root(other)] = root(k)
    groups: dict[int, list[_Box]] = {}
    for k, cell in enumerate(cells):
        groups.setdefault(root(k), []).append(cell)
    return sorted(groups.values(), key=lambda t: min((c[1], c[0]) for c in t))


def _center_in(ch: _Char, box: _Box) -> bool:
    x = (ch[1] + ch[3]) / 2
    y = (ch[2] + ch[4]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def table_lines(table: _Table) -> list[list[str]]:
    """One line of cells per table row, merged cells emitted once (colspan) or as "" below (rowspan)."""
    xs = sorted({c[0] for c in table.cells})
    out: list[list[str]] = []
    by_top = itertools.groupby(sorted(table.cells, key=lambda c: (c[1], c[0])), key=lambda c: c[1])
    for top, row_cells in by_top:
        starts = {c[0]: c for c in row_cells}
        slots: list[Slot] = []
        for x in xs:
            cell = starts.get(x)
            if cell is not None:
                slots.append(Slot(table.texts[cell]))
                continue
            origin = table.cell_at(x, top)
            if origin is None or abs(origin[1] - top) <= _TOL:
                continue  # covered by a cell of the same row (a colspan), or nothing there
            if abs(origin[0] - x) <= _TOL:
                slots.append(Slot("", continued_from=table.texts[origin]))
        out.append(finish_row(slots))
    return out


# ------------------------------------------------------------------------------------------------
# Text: lines and words from character boxes
# ------------------------------------------------------------------------------------------------


def _lines(chars: Iterable[_Char]) -> list[list[_Char]]:
    """Characters clustered into lines by their tops (chained within 3 points), each left to right."""
    lines: list[list[_Char]] = []
    last = None
    for ch in sorted(chars, key=lambda ch: ch[2]):
        if last is None or ch[2] > last + _Y_TOL:
            lines.append([])
        lines[-1].append(ch)
        last = ch[2]
    for line in lines:
        line.sort(key=lambda ch: (ch[1], ch[2]))
    return lines


def _words(line: list[_Char]) -> list[list[_Char]]:
    """A line's words: split at blank characters, at gaps over 3 points, where a character starts left
    of the one before, or where its top is more than 3 points off."""
    words: list[list[_Char]] = []
    word: list[_Char] = []
    for ch in line:
        if ch[0].isspace():
            if word:
                words.append(word)
            word = []
            continue
        if word:
            last = word[-1]
            if ch[1] < last[1] or ch[1] > last[3] + _X_TOL or abs(ch[2] - last[2]) > _Y_TOL:
                words.append(word)
                word = []
        word.append(ch)
    if word:
        words.append(word)
    return words


def _line_text(line: list[_Char]) -> str:
    """A line's words (as `_words` splits them) with a space between them, maybe more: `clean` follows."""
    out: list[str] = []
    last = None
    for ch in line:
        if ch[0].isspace():
            out.append(" ")
            last = None
            continue
        if last is not None and (ch[1] < last[1] or ch[1] > last[3] + _X_TOL or abs(ch[2] - last[2]) > _Y_TOL):
            out.append(" ")
        out.append(ch[0])
        last = ch
    return "".join(out)


def _text_of(chars: list[_Char]) -> str:
    """Plain text: the lines' words joined by spaces, lines by newlines."""
    if len(chars) == 1:  # a cell of one digit: the commonest cell of a report
        return chars[0][0]
    if len(chars) > 1 and max(ch[2] for ch in chars) - min(ch[2] for ch in chars) <= _Y_TOL:  # one line
        return _line_text(sorted(chars, key=lambda ch: (ch[1], ch[2])))
    return "\n".join(_line_text(line) for line in _lines(chars))


def _layout_text(page: _Page) -> list[str]:
    """The page as a text layout (each word at column x / 7.25), without page numbers at its top or bottom."""
    raw: list[str] = []
    for line in _lines(page.chars):
        parts: list[str] = []
        width = 0
        for word in _words(line):
            spaces = max(min(1, width), round(word[0][1] / _X_DENSITY) - width)
            text = "".join(ch[0] for ch in word)
            parts.append(" " * spaces + text)
            width += spaces + len(text)
        text = "".join(parts)
        if text.strip():
            raw.append(text)
    while raw and _PAGE_NUMBER.match(raw[-1].strip()):
        raw.pop()
    while raw and _PAGE_NUMBER.match(raw[0].strip()):
        raw.pop(0)
    return raw


def _page_number(text: str, top: float, bottom: float, height: float) -> bool:
    in_margin = top < height * _MARGIN or bottom > height * (1 - _MARGIN)
    return in_margin and _PAGE_NUMBER.match(text.strip()) is not None


def layout_lines(raw: list[str]) -> list[list[str]]:
    """The text-layout fallback over consecutive pages: cells split at runs of 2+ spaces.

    A line holding one label, under the last label of the data row above and indented from the table's
    left edge (a sub-label in a narrow column), is the wrapped rest of that label, also across a page
    break: it is appended to it, not read as a row. Anything else stays a line of its own (a heading
    is never glued onto a row).
    """
    split = [[(m.start(), clean(m.group())) for m in _CELL.finditer(line)] for line in raw]
    left = min((cells[0][0] for cells in split if len(cells) >= 2), default=0)
    rows: list[list[tuple[int, str]]] = []  # cells as (start column, text)
    for cells in split:
        k = _wrapped_label(rows[-1], cells, left) if rows else None
        if k is not None:
            rows[-1][k] = (rows[-1][k][0], rows[-1][k][1] + cells[0][1])
            continue
        rows.append(cells)
    return [[t for _, t in cells] for cells in rows]


def _wrapped_label(prev: list[tuple[int, str]], cells: list[tuple[int, str]], left: int) -> int | None:
    """The index of the label of `prev` that `cells` continues, or None (see `layout_lines`)."""
    first_value = next((i for i, (_, t) in enumerate(prev) if _is_number(t)), None)
    if first_value is None or first_value == 0 or len(cells) != 1:
        return None
    start, text = cells[0]
    label_start = prev[first_value - 1][0]
    if _is_number(text) or _ORDINAL.match(text) or label_start <= left + 1:
        return None
    if label_start - 1 <= start < prev[first_value][0]:
        return first_value - 1
    return None


def _is_number(text: str) -> bool:
    v = parse_value(text)
    return v is not None and v.value is not None


def _join_split_row(prev: list[str], cont: list[str]) -> list[str] | None:
    """A table row broken by a page break: its rest opens the next page with the same cells, holding
    only the wrapped rest of labels (and perhaps the values, when they sat low in the row). Joined
    cell by cell, unless two numbers would meet or a label of the rest starts a new numbered row."""
    if len(prev) != len(cont) or not any(c.strip() for c in cont):
        return None
    for a, b in zip(prev, cont, strict=True):
        if _is_number(a) and _is_number(b):
            return None
        if b.strip() and not _is_number(b) and _ORDINAL.match(b.strip()):
            return None
    return [clean(f"{a} {b}") for a, b in zip(prev, cont, strict=True)]


def ruled_page_lines(page: _Page, tables: list[_Table]) -> tuple[list[list[str]], list[bool]]:
    """(the lines of a page with ruled tables, in reading order; which of them are table rows)."""
    items: list[tuple[float, int, list[list[str]]]] = []
    for k, table in enumerate(tables):
        items.append((table.bbox[1], k, table_lines(table)))
    for line in _lines(page.outside):
        text = clean(_line_text(line))
        top, bottom = min(ch[2] for ch in line), max(ch[4] for ch in line)
        if not text or _page_number(text, top, bottom, page.height):
            continue
        items.append((top, -1, [[text]]))
    items.sort(key=lambda it: (it[0], it[1]))
    lines = [cells for _, _, block in items for cells in block]
    is_row = [k >= 0 for _, k, block in items for _ in block]
    return lines, is_row


class _Lines:
    """The document's lines, page after page: a table row broken by a page break is joined."""

    def __init__(self) -> None:
        self.lines: list[list[str]] = []
        self.last_is_row = False

    def add(self, lines: list[list[str]], is_row: list[bool]) -> None:
        if lines and self.last_is_row and is_row[0]:
            joined = _join_split_row(self.lines[-1], lines[0])
            if joined is not None:
                self.lines[-1] = joined
                lines, is_row = lines[1:], is_row[1:]
        if lines:
            self.lines.extend(lines)
            self.last_is_row = is_row[-1]


# ------------------------------------------------------------------------------------------------
# The reader
# ------------------------------------------------------------------------------------------------


def load_pages(data: bytes) -> list[_Page]:
    """Every page's characters and rules, the limits checked first; the refusals of `_open`."""
    with _PDFIUM:
        doc = _open(data)
        try:
            check_size(doc, data)
            pages: list[_Page] = []
            budget = limits.MAX_PDF_CHARS
            for k in range(len(doc)):
                try:
                    page = _load_page(doc, k, budget)
                except pypdfium2.PdfiumError as exc:
                    raise ParseError("unreadable_pdf",
                                     f"page {k + 1} of the PDF is damaged and cannot be read ({_short(str(exc))})"
                                     ) from exc
                budget -= len(page.chars)
                pages.append(page)
            return pages
        finally:
            doc.close()


def read_pdf(data: bytes) -> Document:
    """The grid of a PDF: scans refused, then page by page (see the module docstring)."""
    pages = load_pages(data)
    visible = sum(1 for p in pages for ch in p.chars if not ch[0].isspace())
    if visible == 0 or (visible < _MIN_TEXT_CHARS * len(pages) and any(p.images for p in pages)):
        raise ParseError(
            "scanned_pdf",
            f"no text layer ({visible} characters on {len(pages)} page(s)); a scan needs OCR",
        )
    if sum(p.unmapped for p in pages) > visible / 2:
        raise ParseError("unreadable_pdf", "the text layer has no Unicode mapping (cid glyphs only); needs OCR")
    out = _Lines()
    pending: list[str] = []  # text-layout lines of consecutive pages without ruled tables
    ruled = False
    for page in pages:
        tables = find_tables(page)
        if not tables:
            pending.extend(_layout_text(page))
            continue
        if pending:
            fallback = layout_lines(pending)
            out.add(fallback, [len(cells) >= 2 for cells in fallback])
            pending = []
        ruled = True
        out.add(*ruled_page_lines(page, tables))
    if pending:
        fallback = layout_lines(pending)
        out.add(fallback, [len(cells) >= 2 for cells in fallback])
    # A ruled table is a faithful grid (blank cells hold their place); the text layout has no blanks.
    grid = Grid(out.lines, exact=ruled)
    return Document(grid, grid_lines_text(grid), "pdf-text", 1.0, "pdf")
