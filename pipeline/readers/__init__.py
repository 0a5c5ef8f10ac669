"""Input formats → one grid (guides/architecture.md, "One grid for every input"; issue 6).

`read_document` turns the raw bytes of a landed file into a `Document`: the grid of cells that the
shared extraction reads, the plain text lines that the metadata reader reads (title, organisation,
signature date), the encoding and the input format. The format is sniffed from the content first
(`%PDF-`, a zip holding `word/document.xml`, HTML tags), the extension only names the error when the
content does not match it. Everything after the grid is the same for every format.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from pathlib import PurePath

from pipeline import limits
from pipeline.decoding import Replaced, decode
from pipeline.layout import Grid, grid_lines_text, text_grid  # grid_lines_text: re-exported for the readers
from pipeline.model import ParseError

INPUT_FORMATS = ("text", "html", "docx", "pdf")

_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls, or a password-protected .docx
_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>]|meta\s|title>|table[\s>]|div[\s>])")
# A CMS fragment is only `<p>` and `<table>` (spec §15), its first table maybe far down: opening and
# closing tags of the common text elements in the first 64 KB also make a page.
_FRAGMENT_OPEN = re.compile(r"<(?:p|span|td|tr|br|strong|font|h[1-6])[\s/>]")
_FRAGMENT_CLOSE = re.compile(r"</(?:p|span|td|tr|table|strong|font|h[1-6])>")


@dataclass(frozen=True)
class Document:
    """What every reader produces: `lines[i]` is the plain text of `grid.lines[i]`."""

    grid: Grid
    lines: list[str]
    encoding: str
    confidence: float
    input_format: str  # text | html | docx | pdf
    replaced: Replaced | None = None  # bytes the decoding replaced by U+FFFD (text and HTML only)


def sniff_format(data: bytes) -> str:
    """`pdf`, `docx`, `html` or `text`, from the content alone (a `.html` file without tags is text)."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(_ZIP):
        return "docx"  # read_docx tells a zip that is no Word document apart
    if _looks_html(data):
        return "html"
    return "text"


def _looks_html(data: bytes) -> bool:
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:4096].count(b"\x00") > 1024

    def ascii_text(sample: bytes) -> str:  # UTF-16: the tags are ASCII once the NULs are gone
        return (sample.replace(b"\x00", b"") if utf16 else sample).decode("latin-1").lower()

    if _HTML_SNIFF.search(ascii_text(data[:4096])) is not None:
        return True
    if b"<" not in data[:65536]:
        return False
    text = ascii_text(data[:65536])
    return _at_least(_FRAGMENT_OPEN, text, 3) and _at_least(_FRAGMENT_CLOSE, text, 3)


def _at_least(pattern: re.Pattern[str], text: str, n: int) -> bool:
    """`pattern` occurs n times in text (a stray `<br>` in a text file does not make it a page)."""
    return next(itertools.islice(pattern.finditer(text), n - 1, None), None) is not None


def read_document(data: bytes, file: str = "<bytes>") -> Document:
    """Read one landed file of any supported format. Raises ParseError for an unusable file, `too_complex`
    for one that would expand past `pipeline.limits` (each reader checks before it expands, and the grid of
    every format is held to `MAX_GRID_CELLS`)."""
    doc = _read_document(data, file)
    cells = sum(map(len, doc.grid.lines))
    if cells > limits.MAX_GRID_CELLS:
        raise limits.too_complex(f"the document has {cells:,} cells (at most {limits.MAX_GRID_CELLS:,} are read)")
    return doc


def _read_document(data: bytes, file: str) -> Document:
    ext = PurePath(file).suffix.lower()
    fmt = sniff_format(data)
    if fmt == "pdf":
        from pipeline.readers.pdf import read_pdf

        return read_pdf(data)
    if fmt == "docx":
        from pipeline.readers.docx import read_docx

        return read_docx(data, named_docx=ext == ".docx")
    if data.startswith(_OLE):
        raise ParseError(
            "unsupported_format",
            "an OLE compound file: a legacy Word .doc (or a password-protected .docx); convert it to .docx",
        )
    if ext == ".pdf":
        raise ParseError("unreadable_pdf", "named .pdf but has no %PDF- header")
    if ext == ".docx":
        raise ParseError("unreadable_docx", "named .docx but is not a zip package")
    if fmt == "html":
        from pipeline.readers.html import read_html

        return read_html(data)
    decoded = decode(data)
    text = decoded.text
    lines = max(text.count("\n"), text.count("\r")) + 1 if len(text) > limits.MAX_LINES else 0  # else fewer
    if lines > limits.MAX_LINES:
        raise limits.too_complex(f"the text has {lines:,} lines (at most {limits.MAX_LINES:,} are read)")
    grid = text_grid(decoded.text)
    return Document(grid, decoded.text.splitlines(), decoded.encoding, decoded.confidence, "text", decoded.replaced)


__all__ = ["INPUT_FORMATS", "Document", "grid_lines_text", "read_document", "sniff_format"]
