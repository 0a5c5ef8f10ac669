"""Locate the report's sections in a grid by what they contain; headings are hints (spec §2, §10.2, §15).

A table section starts where its table does: at a content anchor only a table holds (`第二十条第（X）项`,
the application table's 勾稽 note or `申请人情况`, the review table's `结果维持`). A heading (a short
single-cell line with a leading ordinal and its section's key phrase) moves the start up to itself when
it is the nearest heading of that section above the anchor, so the title block ends at the heading. A
heading without an anchor still opens its section (a section whose table is missing is reported), and a
heading never gates a table: a table of contents listing every heading, renumbered or retitled sections,
`表二：…` titles and tables without a heading all leave the tables where their contents are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.layout import Grid, grid_lines_text
from pipeline.normalize import label_key

_ORDINAL = re.compile(r"^[一二三四五六七八九十]{1,2}、")

# section id → key phrases that identify its heading (normalised).
HEADINGS: dict[str, tuple[str, ...]] = {
    "overview": ("总体情况",),
    "disclosure": ("主动公开",),
    "applications": ("收到和处理", "依申请公开情况", "政府信息公开申请情况"),
    "review": ("行政复议", "行政诉讼", "复议", "诉讼"),  # `行政法复议` is a typo seen in real reports
    "problems": ("存在的主要问题", "存在问题", "主要问题", "改进情况"),
    "other": ("其他需要报告",),
}
TABLE_SECTIONS = ("disclosure", "applications", "review")

# Content that only a table holds, per table section; a line must be short to count (prose quotes them).
_ANCHORS: dict[str, tuple[str, ...]] = {
    "disclosure": ("第二十条第",),
    "applications": ("勾稽关系", "钩稽关系", "申请人情况", "本年新收"),
    "review": ("结果维持", "行政复议"),
}
_ANCHOR_LINE = 200  # an anchor in a longer line is prose


def _spaced(word: str) -> str:
    return r"\s*".join(map(re.escape, word))


_ANCHOR_RES = {
    name: re.compile("|".join(f"(?P<row>{_spaced(a)})" if a == "本年新收" else _spaced(a) for a in anchors))
    for name, anchors in _ANCHORS.items()
}


@dataclass(frozen=True)
class Section:
    name: str
    start: int  # first line index after the heading
    end: int  # exclusive
    heading_line: int | None  # 0-based index of the heading, None when found by anchor


_ORDINAL_CHARS = frozenset("一二三四五六七八九十")
_COMMAS = "[\u3001\ufe11\ufe51\uff64]"  # 、 and the characters NFKC turns into it
_COMMA = re.compile(_COMMAS)
# Cheap test every line gets first: a heading holds an ordinal followed by 、 (or its NFKC-equal forms).
_MAY_BE_HEADING = re.compile(r"[一二三四五六七八九十]\s*" + _COMMAS)


def _heading(grid: Grid, i: int) -> str | None:
    if not _MAY_BE_HEADING.search(grid.lines[i][0] if len(grid.lines[i]) == 1 else "".join(grid.lines[i])):
        return None
    cells = [c for c in grid.lines[i] if c.strip()]
    if len(cells) != 1 or cells[0].lstrip(" \t#\u3000")[:1] not in _ORDINAL_CHARS:
        return None
    return _heading_of(cells[0])


@lru_cache(maxsize=16384)  # the same headings (and numbered table labels) in every report
def _heading_of(cell: str) -> str | None:
    """The section a one-cell line that starts with an ordinal heads, or None."""
    key = label_key(cell)
    if len(key) > 40 or not _ORDINAL.match(key):
        return None
    for name, phrases in HEADINGS.items():
        if any(p in key for p in phrases):
            return name
    return None


def _comma_lines(grid: Grid, lines: Sequence[str]) -> Iterable[int]:
    """The lines that may hold a heading: those with a `、` (or a character NFKC turns into one), which every
    heading holds. `lines[i]` holds every character of the cells of `grid.lines[i]` (the plain text of a
    `Document`), so one regex pass over the text finds them; every line when the lines do not match the grid."""
    text = "\n".join(lines)
    if len(lines) != len(grid.lines) or text.count("\n") != len(grid.lines) - 1:
        return range(len(grid.lines))
    out: list[int] = []
    line = pos = 0
    for m in _COMMA.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        if not out or out[-1] != line:
            out.append(line)
    return out


def find_sections(grid: Grid, lines: Sequence[str] | None = None,
                  anchors_out: dict[str, int] | None = None) -> dict[str, Section]:
    """Sections in document order; each runs to the next section's start or the next later heading.
    `anchors_out` receives the line of each table section's first content anchor."""
    if lines is None:
        lines = grid_lines_text(grid)
    headings: list[tuple[int, str]] = []
    for i in _comma_lines(grid, lines):
        name = _heading(grid, i)
        if name:
            headings.append((i, name))
    anchors = _anchors(grid, lines)
    if anchors_out is not None:
        anchors_out.update(anchors)
    marks: list[tuple[int, str, bool]] = []  # (line, section, started at its heading)
    for name in TABLE_SECTIONS:
        if name in anchors:
            a = anchors[name]
            above = [i for i, n in headings if i <= a]
            heading = next((i for i, n in reversed(headings) if i <= a and n == name), None)
            if heading is not None and heading == max(above) and not any(heading < b < a for b in anchors.values()):
                marks.append((heading, name, True))
            else:
                marks.append((a, name, False))
        else:
            first = next((i for i, n in headings if n == name), None)
            if first is not None:
                marks.append((first, name, True))
    starts = {i for i, _, _ in marks}
    for name in ("overview", "problems", "other"):
        first = next((i for i, n in headings if n == name and i not in starts), None)
        if first is not None:
            marks.append((first, name, True))
    marks.sort()
    bounds = sorted({i for i, _, _ in marks} | {i for i, _ in headings})
    sections: dict[str, Section] = {}
    for i, name, at_heading in marks:
        end = next((b for b in bounds if b > i and (b > anchors.get(name, i))), len(grid.lines))
        sections[name] = Section(name, i + 1 if at_heading else i, end, i if at_heading else None)
    return sections


def second_tables(grid: Grid, lines: Sequence[str], anchors: dict[str, int]) -> dict[str, int] | None:
    """The anchors of a second set of tables: the tables of 二, 三 and 四 all found again, in order, after
    the first set ended (the review table's anchor); else None.

    Two reports spliced into one file (two downloads concatenated, a page holding two years) look like one
    report whose second half is prose: this says it is not.
    """
    if len(anchors) < len(TABLE_SECTIONS):
        return None
    end = anchors["review"] + 1
    again = _anchors(grid, lines, end)
    return again if len(again) == len(TABLE_SECTIONS) else None


def _anchors(grid: Grid, lines: Sequence[str], first: int = 0) -> dict[str, int]:
    """The first line of each table section's content, in the report's order of sections (二, 三, 四):
    an anchor of a later section is looked for only after the earlier sections' anchors. One regex pass
    over the text (anchors are ideographs, which NFKC keeps; a space may sit inside them). `first`: the
    line to search from."""
    text = "\n".join(lines[first:] if first else lines)
    found: dict[str, int] = {}
    pos, line = 0, first  # search from text[pos:], which starts line `line`
    for name in TABLE_SECTIONS:
        while (m := _ANCHOR_RES[name].search(text, pos)) is not None:
            i = line + text.count("\n", pos, m.start())
            line, pos = i + 1, text.find("\n", m.start()) + 1 or len(text)
            if len(label_key(lines[i])) >= _ANCHOR_LINE:
                continue
            if name == "applications" and m.lastgroup == "row" and not _table_follows(grid, i):
                continue
            found[name] = i
            break
    return found


def _table_follows(grid: Grid, i: int) -> bool:
    """A value cell within the next few lines: `本年新收` heads a table row, not a sentence."""
    for j in range(i, min(i + 4, len(grid.lines))):
        cells = grid.lines[j][1:] if j == i else grid.lines[j]
        if any(c.strip() and c.strip()[0].isdigit() for c in cells):
            return True
    return False
