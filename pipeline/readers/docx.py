"""Word .docx → grid: paragraphs and tables in document order, merged cells expanded (issue 6).

The package is opened with python-docx; the body is read from its XML so that order, content controls
(`w:sdt`) and merges are seen exactly: `w:gridSpan` (a horizontal merge) emits the cell once,
`w:vMerge` continuation cells emit "" (see `pipeline.readers.cells`). A table holding another table is a
layout table: its cells are read as blocks of text. Deleted text (tracked changes) is not read.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator

from docx.oxml.ns import qn
from lxml import etree

from pipeline import limits
from pipeline.layout import Grid, split_line
from pipeline.model import ParseError
from pipeline.readers import Document, grid_lines_text
from pipeline.readers.cells import Slot, clean, finish_row

_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_DEL = qn("w:del")
_VAL = qn("w:val")
# Block-level wrappers whose children are paragraphs and tables (content controls, custom XML, …).
_WRAPPERS = {qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"), qn("w:smartTag")}


def _open(data: bytes, named_docx: bool):
    """The python-docx document. A zip that is no Word package is `binary_file` (as for any other binary
    file) unless the file is named .docx, where a broken package is `unreadable_docx`."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        if named_docx:
            raise ParseError("unreadable_docx", f"not a readable zip package (a .docx is one): {exc}") from exc
        raise ParseError("binary_file", f"a damaged zip archive, not a report: {exc}") from exc
    if not any(i.filename.startswith("word/") for i in infos):
        if named_docx:
            raise ParseError("unreadable_docx", "a zip archive without a word/ part")
        raise ParseError("binary_file", "a zip archive that is not a Word document (no word/ part)")
    check_package(infos)
    import docx  # python-docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors, … for a broken package
        raise ParseError("unreadable_docx", _plain_reason(exc)) from exc


def _plain_reason(exc: Exception) -> str:
    """Why python-docx could not read the package, in plain words."""
    text = str(exc)
    crc = re.search(r"Bad CRC-32 for file '([^']*)'", text)
    if crc:
        return f"the Word package is damaged: its part {crc.group(1)} does not match its checksum"
    if isinstance(exc, zlib.error) or "decompressing" in text:
        return "the Word package is damaged: a part cannot be inflated (an interrupted download?)"
    if "Bad magic number" in text or "negative seek" in text or isinstance(exc, EOFError):
        return "the Word package is damaged: its directory points at parts that are not there (truncated?)"
    detail = f"{type(exc).__name__}: {text}"
    return f"the Word document cannot be read ({detail[:120]}{'…' if len(detail) > 120 else ''})"


def check_package(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a package that would inflate past the limits (`pipeline.limits`), from its zip directory alone.

    python-docx reads every part it knows into memory. zipfile never inflates a member past the size the
    directory declares (it cuts the data there), so checking the declared sizes bounds what is read: each
    part at most MAX_PART_BYTES, all of them MAX_PACKAGE_BYTES, and no large part compressed more than
    MAX_RATIO times (deflate reaches about 1,000:1 on a bomb's repeated bytes; Word's XML 5-20:1).
    """
    if len(infos) > limits.MAX_PARTS:
        raise limits.too_complex(f"the Word package holds {len(infos):,} parts (at most {limits.MAX_PARTS:,} are read)")
    total = 0
    for info in infos:
        size = info.file_size
        total += size
        if size > limits.MAX_PART_BYTES:
            raise limits.too_complex(
                f"the Word package's part {info.filename} would inflate to {size / limits.MIB:,.0f} MB "
                f"(at most {limits.MAX_PART_BYTES // limits.MIB} MB per part)")
        if size > limits.RATIO_FLOOR and size > limits.MAX_RATIO * max(info.compress_size, 1):
            raise limits.too_complex(
                f"the Word package's part {info.filename} is compressed {size / max(info.compress_size, 1):,.0f} "
                f"times ({info.compress_size:,} bytes inflating to {size:,}): a zip bomb, not a document "
                f"(at most {limits.MAX_RATIO} times)")
    if total > limits.MAX_PACKAGE_BYTES:
        raise limits.too_complex(f"the Word package would inflate to {total / limits.MIB:,.0f} MB "
                                 f"(at most {limits.MAX_PACKAGE_BYTES // limits.MIB} MB in all)")


def _blocks(parent: etree._Element) -> Iterator[etree._Element]:
    """Paragraphs and tables under `parent`, in document order, looking through content controls."""
    for child in parent:
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag in _WRAPPERS:
            yield from _blocks(child)


def paragraph_text(p: etree._Element) -> str:
    """The visible text of a paragraph: runs, tabs and breaks (a break is a newline); no deleted text."""
    parts: list[str] = []
    for el in p.iter(_T, _TAB, _BR, _CR):
        if any(a.tag == _DEL for a in el.iterancestors()):
            continue
        if el.tag == _T:
            parts.append(el.text or "")
        elif el.tag == _TAB:
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _tc_prop(tc: etree._Element, name: str) -> etree._Element | None:
    pr = tc.find(qn("w:tcPr"))
    return pr.find(qn(name)) if pr is not None else None


def _grid_span(tc: etree._Element) -> int:
    el = _tc_prop(tc, "w:gridSpan")
    try:
        return max(1, int(el.get(_VAL))) if el is not None else 1
    except (TypeError, ValueError):
        return 1


def _v_merge(tc: etree._Element) -> str | None:
    """`restart`, `continue` or None (not vertically merged)."""
    el = _tc_prop(tc, "w:vMerge")
    if el is None:
        return None
    return "restart" if el.get(_VAL) == "restart" else "continue"


def _h_merge_continue(tc: etree._Element) -> bool:
    el = _tc_prop(tc, "w:hMerge")  # the legacy horizontal merge
    return el is not None and el.get(_VAL) != "restart"


def _grid_before(tr: etree._Element) -> int:
    pr = tr.find(qn("w:trPr"))
    el = pr.find(qn("w:gridBefore")) if pr is not None else None
    try:
        return int(el.get(_VAL)) if el is not None else 0
    except (TypeError, ValueError):
        return 0


def _children(parent: etree._Element, tag: str) -> Iterator[etree._Element]:
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag in _WRAPPERS:
            yield from _children(child, tag)


class _Reader:
    def __init__(self) -> None:
        self.lines: list[list[str]] = []
        self.raw: list[str] = []  # paragraph lines as written (tabs kept), for a document without tables
        self.tables = 0

    def blocks(self, parent: etree._Element) -> None:
        for block in _blocks(parent):
            if block.tag == _P:
                for line in paragraph_text(block).split("\n"):
                    if clean(line):
                        self.lines.append([clean(line)])
                        self.raw.append(line)
            elif any(t is not block for t in block.iter(_TBL)):
                for tr in _children(block, _TR):  # a layout table: its cells are blocks of text
                    for tc in _children(tr, _TC):
                        self.blocks(tc)
            else:
                self.table(block)

    def table(self, tbl: etree._Element) -> None:
        origin: dict[int, str] = {}  # grid column → text of the last cell that started there
        emitted = 0
        for tr in _children(tbl, _TR):
            slots: list[Slot] = []
            col = _grid_before(tr)
            for tc in _children(tr, _TC):
                span = _grid_span(tc)
                if _h_merge_continue(tc):
                    col += span
                    continue
                if _v_merge(tc) == "continue":
                    slots.append(Slot("", continued_from=origin.get(col, "")))
                else:
                    text = clean(" ".join(paragraph_text(p) for p in tc.iter(_P)))
                    slots.append(Slot(text))
                    origin[col] = text
                col += span
            cells = finish_row(slots)
            emitted += len(cells) >= 2
            self.lines.append(cells)
        self.tables += bool(emitted)


def read_docx(data: bytes, named_docx: bool = False) -> Document:
    doc = _open(data, named_docx)
    body = doc.element.body
    reader = _Reader()
    reader.blocks(body)
    if reader.tables:
        grid = Grid(reader.lines, exact=True)
    else:  # no table grid: the paragraphs are a text layout (tabs or pipes between cells)
        grid = Grid([split_line(line) for line in reader.raw], exact=False)
    return Document(grid, grid_lines_text(grid), "utf-8", 1.0, "docx")
