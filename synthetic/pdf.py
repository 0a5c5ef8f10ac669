"""A generated report as a PDF with ruled tables (issue 17), for the benchmark's per-format line and its test.

The same report objects and lines as the text and HTML layouts (`synthetic.corpus.document`), so the truth is
the same; the tables are the official grids with their merged cells (`synthetic.corpus._merges`: table 三's
rowspans, table 四's two-level header), ruled as Word draws them (every cell a stroked rectangle) or as
LibreOffice does (the cells' sides joined into long lines), labels wrapped inside their cell
as a word processor does, a table never split by a page break, page numbers in the bottom margin.

Written with reportlab (a dev dependency: `uv sync` installs it; the parser never needs it) and its
built-in CID font STSong-Light, which needs no font file: the PDF names the font and its Unicode CMap, and
a reader (PDFium) maps every character back to Unicode. `invariant` output: the same report, the same bytes.
"""

from __future__ import annotations

import io
import random
from functools import cache

from synthetic.corpus import _NUMBER, SynthReport, body_blocks

_FONT = "STSong-Light"
_PAGE = (595.0, 842.0)  # A4 portrait, points
_MARGIN = 42.0
_TABLE_SIZE = 8.0  # points: table text
_TEXT_SIZE = 10.5  # points: prose
_PAD = 2.5  # points: inside a cell
_MIN_COLUMN = 26.0  # points


@cache
def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont(_FONT))
    return _FONT


def _width(text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, _font(), size)


def _wrap(text: str, width: float, size: float) -> list[str]:
    """The text cut into lines no wider than `width` (anywhere: Chinese has no spaces to break at)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and _width(line + ch, size) > width:
            lines.append(line)
            line = ""
        line += ch
    return [*lines, line] if line else lines


def _place(rows: list[list[tuple[str, int, int]]]) -> tuple[list[tuple[str, int, int, int, int]], int]:
    """Each cell's (text, row, column, rowspan, colspan) in the grid, as a browser lays out a table; the
    number of columns."""
    taken: set[tuple[int, int]] = set()
    placed = []
    for i, cells in enumerate(rows):
        j = 0
        for text, rowspan, colspan in cells:
            while (i, j) in taken:
                j += 1
            placed.append((text, i, j, rowspan, colspan))
            taken.update((i + a, j + b) for a in range(rowspan) for b in range(colspan))
            j += colspan
    return placed, 1 + max(j for _, j in taken)


def _columns(placed: list[tuple[str, int, int, int, int]], n: int, usable: float) -> list[float]:
    """Column widths: each as wide as its widest one-column cell (at most 150 points), scaled to fit."""
    widths = [_MIN_COLUMN] * n
    for text, _, j, _, colspan in placed:
        if colspan == 1:
            widths[j] = max(widths[j], min(150.0, _width(text, _TABLE_SIZE) + 2 * _PAD + 1))
    total = sum(widths)
    return [w * usable / total for w in widths] if total > usable else widths


def _runs(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Touching or overlapping spans joined: the sides of neighbouring cells drawn as one rule."""
    out: list[tuple[float, float]] = []
    for a, b in sorted(spans):
        if out and a <= out[-1][1] + 0.01:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


class _Writer:
    """A reportlab canvas with a cursor: prose and tables top to bottom, a new page when one is full."""

    def __init__(self, rng: random.Random) -> None:
        from reportlab.pdfgen.canvas import Canvas

        self.buffer = io.BytesIO()
        self.canvas = Canvas(self.buffer, pagesize=_PAGE, invariant=1, pageCompression=1)
        self.page = 1
        self.y = _PAGE[1] - _MARGIN
        self.indent = rng.choice((0.0, 21.0))
        self.cell_boxes = rng.random() < 0.5  # every cell a rectangle (as Word draws), else long rules (LibreOffice)

    def new_page(self) -> None:
        self.footer()
        self.canvas.showPage()
        self.page += 1
        self.y = _PAGE[1] - _MARGIN

    def footer(self) -> None:
        self.canvas.setFont(_font(), 9)
        self.canvas.drawCentredString(_PAGE[0] / 2, _MARGIN / 2, f"- {self.page} -")

    def text(self, text: str, size: float = _TEXT_SIZE, align: str = "left") -> None:
        usable = _PAGE[0] - 2 * _MARGIN
        while _width(text, size) > usable and size > 6:  # a title stays one line
            size -= 0.5
        for line in _wrap(text, usable - (self.indent if align == "left" else 0), size):
            if self.y - size * 1.6 < _MARGIN:
                self.new_page()
            self.y -= size * 1.6
            self.canvas.setFont(_font(), size)
            if align == "center":
                self.canvas.drawCentredString(_PAGE[0] / 2, self.y, line)
            elif align == "right":
                self.canvas.drawRightString(_PAGE[0] - _MARGIN, self.y, line)
            else:
                self.canvas.drawString(_MARGIN + self.indent, self.y, line)

    def table(self, rows: list[list[tuple[str, int, int]]]) -> None:
        placed, n = _place(rows)
        widths = _columns(placed, n, _PAGE[0] - 2 * _MARGIN)
        left = [_MARGIN + sum(widths[:j]) for j in range(n + 1)]
        lead = _TABLE_SIZE * 1.25
        wrapped = {}
        heights = [0.0] * len(rows)
        for cell in placed:
            text, i, j, rowspan, colspan = cell
            lines = _wrap(text, left[j + colspan] - left[j] - 2 * _PAD, _TABLE_SIZE)
            wrapped[cell] = lines
            need = max(1, len(lines)) * lead + 2 * _PAD
            have = sum(heights[i:i + rowspan])
            if need > have:
                heights[i + rowspan - 1] += need - have
        top = [0.0]
        for h in heights:
            top.append(top[-1] + h)
        if self.y - top[-1] - 6 < _MARGIN and self.y < _PAGE[1] - _MARGIN:
            self.new_page()
        y0 = self.y - 6
        c = self.canvas
        c.setLineWidth(0.75)
        c.setFont(_font(), _TABLE_SIZE)
        h_sides: dict[float, list[tuple[float, float]]] = {}
        v_sides: dict[float, list[tuple[float, float]]] = {}
        for cell in placed:
            text, i, j, rowspan, colspan = cell
            x, x1 = left[j], left[j + colspan]
            y_top, y_bottom = y0 - top[i], y0 - top[i + rowspan]
            if self.cell_boxes:
                c.rect(x, y_bottom, x1 - x, y_top - y_bottom, stroke=1, fill=0)
            else:
                for y in (y_top, y_bottom):
                    h_sides.setdefault(y, []).append((x, x1))
                for xx in (x, x1):
                    v_sides.setdefault(xx, []).append((y_bottom, y_top))
            lines = wrapped[cell]
            y = (y_top + y_bottom) / 2 + len(lines) * lead / 2 - _TABLE_SIZE * 0.95
            for line in lines:
                if _NUMBER.fullmatch(text):  # values centred, labels from the left
                    c.drawCentredString((x + x1) / 2, y, line)
                else:
                    c.drawString(x + _PAD, y, line)
                y -= lead
        for y, spans in h_sides.items():
            for a, b in _runs(spans):
                c.line(a, y, b, y)
        for x, spans in v_sides.items():
            for a, b in _runs(spans):
                c.line(x, a, x, b)
        self.y = y0 - top[-1] - 6

    def finish(self) -> bytes:
        self.footer()
        self.canvas.showPage()
        self.canvas.save()
        return self.buffer.getvalue()


def render_pdf(r: SynthReport, lines: list[tuple[bool, list[str]]], rng: random.Random) -> bytes:
    """The report as a PDF: title, headings and prose as text lines, every table ruled (see the docstring)."""
    out = _Writer(rng)
    per_item = rng.random() < 0.5  # each 第二十条 item its own table, or section 二 one table
    out.text(lines[0][1][0], 15, "center")
    for kind, block in body_blocks(r, lines, per_item):
        if kind == "table":
            out.table(block)
        else:
            out.text(block, align="right" if kind == "signature" else "left")
    return out.finish()
