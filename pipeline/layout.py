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
from collections.abc import Callable
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
    col: int = 0  # cell position on its line (row layouts: the column)


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
        start, end = self._span()
        return self.slots[start:end]

    def value_count(self) -> int:
        """`len(self.values())` without the copy."""
        if self.exact:
            return len(self.slots)
        start, end = self._span()
        return end - start

    def _span(self) -> tuple[int, int]:
        slots = self.slots
        start, end = 0, len(slots)
        while start < end and slots[start].kind == "empty":
            start += 1
        while end > start and slots[end - 1].kind == "empty":
            end -= 1
        return start, end


@dataclass
class Grid:
    """A document as lines of cells: what every input format (text, HTML, …) produces."""

    lines: list[list[str]]  # cells per source line; [] for a blank line
    exact: bool = False  # cells are a faithful grid (HTML/DOCX tables), blanks are positional


def grid_lines_text(grid: Grid) -> list[str]:
    """The plain text of every grid line (cells joined by a space), aligned with the grid: what headings,
    anchors and the lines of a `Document` are searched in."""
    return [" ".join(c.strip() for c in cells if c.strip()) for cells in grid.lines]


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


@lru_cache(maxsize=65536)  # short table lines (`0 |`, `总计\t3`) repeat across the reports of a corpus
def _split_cached(line: str) -> tuple[str, ...]:
    """`split_line` of a short line (a tuple: each caller gets its own list)."""
    return tuple(split_line(line))


def text_grid(text: str) -> Grid:
    """`split_line` of every line; a line with no tab, pipe or `#` is one cell (or a break) without the call."""
    out: list[list[str]] = []
    append = out.append
    for line in text.splitlines():
        if "|" in line or "\t" in line or "#" in line:
            append(list(_split_cached(line)) if len(line) <= 200 else split_line(line))
        elif line.strip():
            append([line])
        else:
            append([])
    return Grid(out)


@lru_cache(maxsize=65536)  # labels and small values repeat across every report of a corpus
def _classify_text(raw: str) -> tuple[str, str, str, Value | None, bool]:
    """(stripped raw, label key, kind, value, whether the text is a page number) of one cell's text."""
    page = PAGE_NUMBER.match(raw) is not None
    value = parse_value(raw)
    if value is not None:
        stripped = raw.replace("&nbsp;", "").strip()
        kind = "empty" if not stripped or stripped == "\u3000" else "value"
        return raw.strip(), "", kind, value, page
    return raw.strip(), label_key(raw), "label", None, page


def physical_mode(grid: Grid, start: int, end: int) -> str:
    """How rows are marked in lines [start, end): `row` (a line is a row), `block` or `stream`."""
    nonblank = multi = blanks_between = 0
    seen_content = False
    for cells in grid.lines[start:end]:
        if not cells:
            if seen_content:
                blanks_between += 1
            continue
        seen_content = True
        nonblank += 1
        # Two filled cells, or three cells of any kind (a markdown row of one filled cell is still a row).
        n = len(cells)
        if n >= 3 or (n == 2 and cells[0].strip() and cells[1].strip()):
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
    append = out.append
    classify = _classify_text
    block = mode == "block"
    one_cell = mode != "row"
    lines = grid.lines
    row = 0
    for i in range(start, end):
        cells = lines[i]
        if not cells:
            if block:
                row += 1
            continue
        line = i + 1
        if len(cells) == 1 and classify(cells[0])[4]:  # a page number
            if skipped is not None:
                skipped.append(line)
            continue
        if not block:
            row += 1
        if one_cell:
            # One cell per line: the tab indent or `|` suffix decorating the line is not a cell; a line of
            # nothing else is one empty cell.
            col = 0
            for cell in cells:
                raw, key, kind, value, _ = classify(cell)
                if raw:  # the text has more than whitespace
                    append(Token(raw, key, kind, value, line, row, col))
                    col += 1
            if not col:
                raw, key, kind, value, _ = classify("")
                append(Token(raw, key, kind, value, line, row, 0))
            continue
        for col, cell in enumerate(cells):
            raw, key, kind, value, _ = classify(cell)
            append(Token(raw, key, kind, value, line, row, col))
    return out, mode


def logical_rows(toks: list[Token], mode: str, exact: bool = False) -> list[LogicalRow]:
    """Group tokens into rows: at a physical boundary (unless `stream`) or at a label after a value."""
    rows: list[LogicalRow] = []
    # The current row's lists, held in locals (the hot loop of every grid section).
    labels: list[Token] = []
    slots: list[Token] = []
    stray: list[Token] = []
    has_value = False  # slots holds a value token
    prev_row: int | None = None
    streaming = mode == "stream"
    for tok in toks:
        kind = tok.kind
        is_label = kind == "label"
        row = tok.row
        boundary = (not streaming and prev_row is not None and row != prev_row) or (is_label and has_value)
        if boundary and (labels or slots):
            rows.append(LogicalRow(labels, slots, stray, exact))
            labels, slots, stray = [], [], []
            has_value = False
        prev_row = row
        if is_label:
            # Values already seen before this label cannot be this row's values: keep them as stray.
            if has_value:
                stray.extend([s for s in slots if s.kind == "value"])
            slots = []
            has_value = False
            labels.append(tok)
        else:
            slots.append(tok)
            if kind == "value":
                has_value = True
    if labels or slots:
        rows.append(LogicalRow(labels, slots, stray, exact))
    return rows


def join_wrapped(rows: list[LogicalRow], names_a_row: Callable[[LogicalRow], bool]) -> list[LogicalRow]:
    """Labels wrapped over two lines (PDF text: `（六）其他处` / `理`) joined column by column.

    A row with values whose labels name no row of the table takes the labels of the label-only line
    right above it (or, failing that, right below it) when the joined labels do name a row. The caller's
    `names_a_row` decides, and only continuations are joined: the labels taken sit left of the row's
    values (a repeated header above a row is no part of its label), and the lower part starts with no
    list number or ordinal (`1.本机关…` under a row is the next row's label, not the end of this one).
    """
    out: list[LogicalRow] = []
    skip = False
    for k, r in enumerate(rows):
        if skip:
            skip = False
            continue
        # A row that names a row stays as it is: tested first, as most rows do (`names_a_row` is pure).
        if not r.labels or not _has_value(r) or names_a_row(r):
            out.append(r)
            continue
        above = out[-1] if out and _wraps_into(out[-1], r, r, r.labels[0].line - 1) else None
        below = rows[k + 1] if k + 1 < len(rows) and _wraps_into(r, rows[k + 1], r, r.labels[-1].line + 1) else None
        if above is None and below is None:
            out.append(r)
            continue
        if above is not None and names_a_row(joined := _joined(above, r, r)):
            out[-1] = joined
            continue
        if below is not None and names_a_row(joined := _joined(r, below, r)):
            out.append(joined)
            skip = True
            continue
        out.append(r)
    return out


_STARTS_LABEL = re.compile(r"^(?:\d{1,2}[.、]|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、)")


def _has_value(r: LogicalRow) -> bool:
    return any(t.kind == "value" for t in r.slots)  # stops at the first value: most rows start with one


def _wraps_into(top: LogicalRow, bottom: LogicalRow, valued: LogicalRow, line: int) -> bool:
    """`top` and `bottom` can be one wrapped label: adjacent lines, the other one label-only, its labels
    left of the values, and the lower part no new label of its own."""
    other = bottom if top is valued else top
    if not other.labels or other.labels[0].line != line or other.stray or _has_value(other):
        return False
    first_value = min((t.col for t in valued.values() if t.kind == "value"), default=None)
    if first_value is not None and any(t.col >= first_value for t in other.labels):
        return False
    return not any(_STARTS_LABEL.match(t.key) for t in bottom.labels)


def _joined(top: LogicalRow, bottom: LogicalRow, valued: LogicalRow) -> LogicalRow:
    """`valued`'s slots under the labels of top and bottom joined per column (top text first)."""
    by_col: dict[int, Token] = {}
    for t in top.labels:
        by_col[t.col] = t
    for t in bottom.labels:
        if t.col in by_col:
            a = by_col[t.col]
            by_col[t.col] = Token(a.raw + t.raw, a.key + t.key, "label", None, a.line, a.row, a.col)
        else:
            by_col[t.col] = t
    return LogicalRow(labels=[by_col[c] for c in sorted(by_col)], slots=valued.slots, stray=valued.stray,
                      exact=valued.exact)
