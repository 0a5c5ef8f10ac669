"""Text layouts → one grid: sections of tokens grouped into logical table rows (spec §10.4).

Every text layout the seeds show (pipe rows, tab rows, markdown, one cell per line with blank lines
between rows, `|`-suffixed cells) ends up as the same structure, so extraction never looks at layout:

* a *token* is one cell: its raw text, normalised label key, kind (label / value / empty) and line;
* a *logical row* is the labels of a table row followed by its value slots.

Physical rows are trusted where the layout marks them (several cells on a line, or blank lines between
one-cell-per-line blocks). Everywhere, a label that follows a value starts a new row: that recovers rows
in layouts that lost their row boundaries (seed 004) and splits two rows glued onto one line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.normalize import Value, label_key, parse_value

_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_HEADING = re.compile(r"^\s*#{1,6}\s*")
# Page furniture that PDF/Word exports leave inside tables: `- 3 -`, `— 3 —`, `第 3 页`, `3/12`, `第3页 共12页`.
PAGE_NUMBER = re.compile(
    r"^\s*(?:[-—–]\s*\d{1,3}\s*[-—–]|第\s*\d{1,3}\s*页(?:\s*[,，]?\s*共\s*\d{1,3}\s*页)?|\d{1,3}\s*/\s*\d{1,3})\s*$"
)


@dataclass(slots=True)
class Token:
    raw: str
    key: str  # normalised label key ("" for values and empties)
    kind: str  # label | value | empty
    value: Value | None
    line: int  # 1-based source line
    row: int  # physical row id


@dataclass(slots=True)
class LogicalRow:
    labels: list[Token] = field(default_factory=list)
    slots: list[Token] = field(default_factory=list)  # value and empty tokens after the last label
    stray: list[Token] = field(default_factory=list)  # values before the last label (never placed)
    exact: bool = False  # slots are positionally exact (a real grid, e.g. HTML); blanks count

    @property
    def last_label(self) -> str:
        return self.labels[-1].key if self.labels else ""

    @property
    def line(self) -> int | None:
        tokens = self.labels or self.slots
        return tokens[0].line if tokens else None

    def values(self) -> list[Token]:
        """The value slots: leading/trailing empties are merged-cell artefacts, interior ones are blanks."""
        if self.exact:
            return list(self.slots)
        slots = self.slots
        start, end = 0, len(slots)
        while start < end and slots[start].kind == "empty":
            start += 1
        while end > start and slots[end - 1].kind == "empty":
            end -= 1
        return slots[start:end]

    def value_count(self) -> int:
        return len(self.values())


@dataclass
class Grid:
    """A document as lines of cells: what every input format (text, HTML, …) produces."""

    lines: list[list[str]]  # cells per source line; [] for a blank line
    exact: bool = False  # cells are a faithful grid (HTML/DOCX tables), blanks are positional

    def line_text(self, i: int) -> str:
        return " ".join(c.strip() for c in self.lines[i] if c.strip())


def split_line(line: str) -> list[str]:
    """Cells of one text line: tab-separated, pipe-separated (markdown or `|`-suffixed), or one cell."""
    if not line.strip():
        # A lone tab is an empty cell of a one-cell-per-line table (seed 003); only a bare line is a break.
        return [""] if "\t" in line else []
    if "|" in line and "-" in line and _MD_SEPARATOR.match(line):
        return []
    line = _MD_HEADING.sub("", line) if line.lstrip().startswith("#") else line
    if "\t" in line:
        return line.split("\t")
    if "|" in line:
        body = line.strip()
        if body.startswith("|"):
            body = body[1:]
        return body.split("|")
    return [line]


def text_grid(text: str) -> Grid:
    return Grid([split_line(line) for line in text.splitlines()])


@lru_cache(maxsize=65536)  # labels and small values repeat across every report of a corpus
def _classify_text(raw: str) -> tuple[str, str, str, Value | None]:
    """(stripped raw, label key, kind, value) of one cell's text."""
    value = parse_value(raw)
    if value is not None:
        stripped = raw.replace("&nbsp;", "").strip()
        kind = "empty" if not stripped or stripped == "\u3000" else "value"
        return raw.strip(), "", kind, value
    return raw.strip(), label_key(raw), "label", None


def physical_mode(grid: Grid, start: int, end: int) -> str:
    """How rows are marked in lines [start, end): `row` (a line is a row), `block` or `stream`."""
    nonblank = multi = blanks_between = 0
    seen_content = False
    for i in range(start, end):
        cells = [c for c in grid.lines[i] if c.strip()]
        if not grid.lines[i]:
            if seen_content:
                blanks_between += 1
            continue
        seen_content = True
        nonblank += 1
        if len(cells) >= 2:
            multi += 1
    if nonblank and multi / nonblank >= 0.3:
        return "row"
    if blanks_between >= 2:
        return "block"
    return "stream"


def tokens(grid: Grid, start: int, end: int, skipped: list[int] | None = None) -> tuple[list[Token], str]:
    """Tokens of lines [start, end) with physical row ids, and the layout mode that assigned them.

    Lines that are page numbers are left out; their line numbers go to `skipped` so they can be reported.
    """
    mode = physical_mode(grid, start, end)
    out: list[Token] = []
    row = 0
    for i in range(start, end):
        cells = grid.lines[i]
        if len(cells) == 1 and PAGE_NUMBER.match(cells[0]):
            if skipped is not None:
                skipped.append(i + 1)
            continue
        if not cells:
            if mode == "block":
                row += 1
            continue
        if mode != "block":
            row += 1
        if mode != "row":
            # One cell per line: the tab indent or `|` suffix decorating the line is not a cell.
            cells = [c for c in cells if c.strip()] or [""]
        for cell in cells:
            raw, key, kind, value = _classify_text(cell)
            out.append(Token(raw, key, kind, value, i + 1, row))
    return out, mode


def logical_rows(toks: list[Token], mode: str, exact: bool = False) -> list[LogicalRow]:
    """Group tokens into rows: at a physical boundary (unless `stream`) or at a label after a value."""
    rows: list[LogicalRow] = []
    current = LogicalRow(exact=exact)
    has_value = False  # current.slots holds a value token
    prev_row: int | None = None
    streaming = mode == "stream"
    for tok in toks:
        is_label = tok.kind == "label"
        boundary = (not streaming and prev_row is not None and tok.row != prev_row) or (is_label and has_value)
        if boundary and (current.labels or current.slots):
            rows.append(current)
            current = LogicalRow(exact=exact)
            has_value = False
        prev_row = tok.row
        if is_label:
            # Values already seen before this label cannot be this row's values: keep them as stray.
            if has_value:
                current.stray.extend(s for s in current.slots if s.kind == "value")
            current.slots = []
            has_value = False
            current.labels.append(tok)
        else:
            current.slots.append(tok)
            has_value = has_value or tok.kind == "value"
    if current.labels or current.slots:
        rows.append(current)
    return rows
