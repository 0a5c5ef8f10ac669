"""PDF with a text layer → grid (issue 6): ruled tables via pdfplumber, a text-layout fallback.

* Page by page, top to bottom: ruled tables (`find_tables`, lines strategy) become lines of cells, merged
  cells expanded as in `pipeline.readers.cells` (pdfplumber leaves `None` where a merged cell covers a
  slot: the same row → a colspan, emitted once; a row below, at the merged cell's left edge → "");
  the text outside the tables becomes one-cell lines.
* Pages without ruled tables are read as a text layout: `extract_text(layout=True)` keeps the horizontal
  positions, a run of 2+ spaces separates cells, and a sub-label wrapped onto the next line is joined
  back. Such a grid cannot show a blank cell, so it is not `exact`: a row with a blank is short, and
  extraction reports it instead of guessing.
* A table that runs over a page break simply continues: the grid is one list of lines, page numbers in
  the top and bottom margins are dropped, and a row cut in two by the break is joined again.
* Refused: a PDF without a text layer (a scan: `scanned_pdf`, it needs OCR, never guessing), an encrypted
  one (`encrypted_pdf`), a damaged one or one whose glyphs have no Unicode mapping (`unreadable_pdf`).
"""

from __future__ import annotations

import io
import logging
import re
import zlib
from typing import Any

from pipeline import limits
from pipeline.layout import Grid
from pipeline.model import ParseError
from pipeline.normalize import parse_value
from pipeline.readers import Document, grid_lines_text
from pipeline.readers.cells import Slot, clean, finish_row

# pdfminer logs every oddity of a damaged file (`Could not get FontBBox…`, `Data-loss while decompressing…`) as
# warnings, which Python prints on stderr when the application configured no logging: the command line's
# stderr is for one line per refused file. What the parser needs to know arrives as exceptions.
for _name in ("pdfminer", "pdfplumber", "pypdfium2"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

_MARGIN = 0.08  # top and bottom share of the page where running headers and page numbers live
_PAGE_NUMBER = re.compile(
    r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$"
)
_CELL = re.compile(r"\S+(?: \S+)*")  # a cell of the text layout: words separated by single spaces
_ORDINAL = re.compile(r"^(?:\d{1,2}\s*[.、．]|[（(][一二三四五六七八九十]{1,3}[）)]|[一二三四五六七八九十]{1,3}、)")
_MIN_TEXT_CHARS = 20  # fewer visible characters than this per page, with images: a scan
_TOL = 1.0  # points


def _unreadable(exc: Exception) -> ParseError:
    """The ParseError for an exception of pdfminer (pdfplumber wraps them in PdfminerException)."""
    from pdfminer.pdfdocument import PDFEncryptionError

    inner = [exc, *(a for a in exc.args if isinstance(a, Exception))]
    if any(isinstance(e, PDFEncryptionError) for e in inner):
        return ParseError("encrypted_pdf", "the PDF is encrypted (a password is needed to read it)")
    return ParseError("unreadable_pdf", _plain_reason(inner[-1]))


def _plain_reason(cause: Exception) -> str:
    """Why pdfminer could not read the file, in plain words (its exception names mean little to a reader)."""
    from pdfminer.psexceptions import PSEOF, PSException

    detail = _short(f"{type(cause).__name__}: {cause}")
    if isinstance(cause, PSEOF):
        return "the PDF is truncated: it ends before its structure is complete (an interrupted download?)"
    if isinstance(cause, PSException) or type(cause).__name__ == "MalformedPDFException":
        return f"the PDF's structure is damaged ({detail})"
    return f"the PDF is damaged and cannot be read ({detail})"


def _short(text: str, keep: int = 120) -> str:
    return text if len(text) <= keep else text[:keep] + "…"


def _open(data: bytes):
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        pdf.pages  # noqa: B018 - parses the page tree: a broken file fails here, not later
    except Exception as exc:  # pdfminer raises many types (PSSyntaxError, PDFSyntaxError, KeyError, …)
        raise _unreadable(exc) from exc
    return pdf


def _visible_chars(page: Any) -> int:
    return sum(1 for c in page.chars if c.get("text", "").strip())


def _inside(obj: dict, boxes: list[tuple[float, float, float, float]]) -> bool:
    x = (obj["x0"] + obj["x1"]) / 2
    y = (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)


def _page_number(text: str, top: float, bottom: float, height: float) -> bool:
    in_margin = top < height * _MARGIN or bottom > height * (1 - _MARGIN)
    return in_margin and _PAGE_NUMBER.match(text.strip()) is not None


def table_lines(table: Any) -> list[list[str]]:
    """One line of cells per table row, merged cells emitted once (colspan) or as "" below (rowspan)."""
    rows = table.rows
    texts = table.extract()
    text_of: dict[tuple, str] = {}
    for row, row_texts in zip(rows, texts, strict=True):
        for cell, text in zip(row.cells, row_texts, strict=True):
            if cell is not None:
                text_of[tuple(cell)] = clean(text or "")
    cells = list(text_of)
    xs = sorted({c[0] for c in table.cells})
    out: list[list[str]] = []
    for row in rows:
        top = min(c[1] for c in row.cells if c is not None)
        slots: list[Slot] = []
        for j, cell in enumerate(row.cells):
            if cell is not None:
                slots.append(Slot(text_of[tuple(cell)]))
                continue
            x = xs[j]
            origin = next((c for c in cells if c[0] - _TOL <= x < c[2] - _TOL and c[1] - _TOL <= top < c[3] - _TOL),
                          None)
            if origin is None or abs(origin[1] - top) <= _TOL:
                continue  # covered by a cell of the same row (a colspan), or nothing there
            if abs(origin[0] - x) <= _TOL:
                slots.append(Slot("", continued_from=text_of[origin]))
        out.append(finish_row(slots))
    return out


def _layout_text(page: Any) -> list[str]:
    """The page as a text layout (positions kept as spaces), without page numbers at its top or bottom."""
    text = page.extract_text(layout=True) or ""
    raw = [line for line in text.splitlines() if line.strip()]
    while raw and _PAGE_NUMBER.match(raw[-1].strip()):
        raw.pop()
    while raw and _PAGE_NUMBER.match(raw[0].strip()):
        raw.pop(0)
    return raw


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
    """The index of the label of `prev` that `cells` continues, or None (see `_layout_lines`)."""
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


def ruled_page_lines(page: Any, tables: list[Any]) -> tuple[list[list[str]], list[bool]]:
    """(the lines of a page with ruled tables, in reading order; which of them are table rows)."""
    boxes = [t.bbox for t in tables]
    items: list[tuple[float, int, list[list[str]]]] = []
    for k, table in enumerate(tables):
        items.append((table.bbox[1], k, table_lines(table)))
    outside = page.filter(lambda obj: obj.get("object_type") != "char" or not _inside(obj, boxes))
    for line in outside.extract_text_lines(strip=True, return_chars=False):
        text = clean(line["text"])
        if not text or _page_number(text, line["top"], line["bottom"], float(page.height)):
            continue
        items.append((line["top"], -1, [[text]]))
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


def read_pdf(data: bytes) -> Document:
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import PdfminerException

    pdf = _open(data)
    try:
        return _read(pdf, data)
    except (PSException, PdfminerException) as exc:  # a page that pdfminer cannot interpret
        raise _unreadable(exc) from exc
    finally:
        pdf.close()


def check_size(pdf: Any, data: bytes) -> None:
    """Refuse a PDF that would expand past the limits (`pipeline.limits`) before any page is interpreted:
    its page count, each page's size and inflated content stream (from the page tree alone), then the
    characters of each page as pypdfium2 counts them (in C, without pdfplumber's 2 KB per character)."""
    pages = pdf.pages
    if len(pages) > limits.MAX_PDF_PAGES:
        raise limits.too_complex(f"the PDF has {len(pages):,} pages (at most {limits.MAX_PDF_PAGES:,} are read)")
    for k, page in enumerate(pages, start=1):
        width, height = float(page.width), float(page.height)
        if max(width, height) > limits.MAX_PAGE_SIDE:
            raise limits.too_complex(
                f"page {k} of the PDF is {width:,.0f} × {height:,.0f} points (at most {limits.MAX_PAGE_SIDE:,}, "
                "200 inches, the largest page PDF allows); laying out its text would fill gigabytes")
        content = _content_size(page.page_obj, limits.MAX_PAGE_CONTENT)
        if content > limits.MAX_PAGE_CONTENT:
            raise limits.too_complex(
                f"the content of page {k} of the PDF inflates to more than {limits.MAX_PAGE_CONTENT // limits.MIB} "
                "MB (a page of text and tables: well under 1 MB)")
    counts = _char_counts(data)
    for k, n in enumerate(counts, start=1):
        if n > limits.MAX_PAGE_CHARS:
            raise limits.too_complex(f"page {k} of the PDF holds {n:,} characters (at most "
                                     f"{limits.MAX_PAGE_CHARS:,} per page are read)")
    if sum(counts) > limits.MAX_PDF_CHARS:
        raise limits.too_complex(f"the PDF holds {sum(counts):,} characters (at most {limits.MAX_PDF_CHARS:,} "
                                 "are read)")


def _content_size(page_obj: Any, limit: int) -> int:
    """The bytes of a page's content streams once inflated, counted up to just past `limit` (Flate is
    inflated in 1 MB steps and never kept; other filters count as their raw length)."""
    from pdfminer.pdftypes import LITERALS_FLATE_DECODE, resolve1

    total = 0
    for ref in page_obj.contents or ():
        stream = resolve1(ref)
        raw = getattr(stream, "rawdata", None)
        if raw is None:  # already decoded (or not a stream)
            total += len(getattr(stream, "data", None) or b"")
            continue
        filters = stream.get_filters()
        if not filters or filters[0][0] not in LITERALS_FLATE_DECODE:
            total += len(raw)
            continue
        inflate = zlib.decompressobj()
        chunk = raw
        try:
            while chunk and total <= limit:
                total += len(inflate.decompress(chunk, limits.MIB))
                chunk = inflate.unconsumed_tail
        except zlib.error:
            continue  # a damaged stream: pdfminer decides what it holds
        if total > limit:
            break
    return total


def _char_counts(data: bytes) -> list[int]:
    """The characters of each page as pypdfium2 counts them; [] when pypdfium2 cannot open the file
    (pdfminer then decides whether it can)."""
    import pypdfium2

    try:
        doc = pypdfium2.PdfDocument(data)
    except Exception:  # pypdfium2 raises PdfiumError for what it cannot open: not this check's business
        return []
    counts: list[int] = []
    try:
        for k in range(len(doc)):
            try:
                page = doc[k]
            except Exception:  # a page pypdfium2 cannot load: pdfminer decides
                counts.append(0)
                continue
            try:
                text = page.get_textpage()
                counts.append(text.count_chars())
                text.close()
            except Exception:
                counts.append(0)
            finally:
                page.close()
    finally:
        doc.close()
    return counts


def _read(pdf: Any, data: bytes) -> Document:
    """The grid of an opened PDF: scans refused, then page by page (see the module docstring)."""
    check_size(pdf, data)
    pages = pdf.pages
    visible = sum(_visible_chars(p) for p in pages)
    if visible == 0 or (visible < _MIN_TEXT_CHARS * len(pages) and any(p.images for p in pages)):
        raise ParseError(
            "scanned_pdf",
            f"no text layer ({visible} characters on {len(pages)} page(s)); a scan needs OCR",
        )
    unmapped = sum(1 for p in pages for c in p.chars if c.get("text", "").startswith("(cid:"))
    if unmapped > visible / 2:
        raise ParseError("unreadable_pdf", "the text layer has no Unicode mapping (cid glyphs only); needs OCR")
    out = _Lines()
    pending: list[str] = []  # text-layout lines of consecutive pages without ruled tables
    ruled = False
    for page in pages:
        tables = page.find_tables()
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
