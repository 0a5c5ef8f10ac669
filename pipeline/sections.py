"""Locate the report's sections by ordinal + key phrase, never by exact heading (spec §2, §10.2).

Headings vary (`五、存在的主要问题及改进情况` vs `五、存在问题及改进情况`, markdown `### 三、…`, renumbered
sections), and the application table's own rows start with ordinals too (`三、本年度办理结果`), so a
heading is a short single-cell line with a leading ordinal *and* its section's key phrase. Where a heading
is missing, the table's own anchors (`第二十条`, the 勾稽 note, `行政复议`) stand in for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.layout import Grid
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

# Anchors used when a table section has no recognisable heading.
_ANCHORS: dict[str, tuple[str, ...]] = {
    "disclosure": ("第二十条第",),
    "applications": ("勾稽关系", "钩稽关系", "本年新收"),
    "review": ("行政复议",),
}


@dataclass(frozen=True)
class Section:
    name: str
    start: int  # first line index after the heading
    end: int  # exclusive
    heading_line: int | None  # 0-based index of the heading, None when found by anchor


_ORDINAL_CHARS = frozenset("一二三四五六七八九十")
# Cheap test every line gets first: a heading holds an ordinal followed by 、 (or its NFKC-equal forms).
_MAY_BE_HEADING = re.compile(r"[一二三四五六七八九十]\s*[\u3001\ufe11\ufe51\uff64]")


def _heading(grid: Grid, i: int) -> str | None:
    if not _MAY_BE_HEADING.search(grid.lines[i][0] if len(grid.lines[i]) == 1 else "".join(grid.lines[i])):
        return None
    cells = [c for c in grid.lines[i] if c.strip()]
    if len(cells) != 1 or cells[0].lstrip(" \t#\u3000")[:1] not in _ORDINAL_CHARS:
        return None
    key = label_key(cells[0])
    if len(key) > 40 or not _ORDINAL.match(key):
        return None
    for name, phrases in HEADINGS.items():
        if any(p in key for p in phrases):
            return name
    return None


def find_sections(grid: Grid) -> dict[str, Section]:
    """Sections in document order; each runs to the next recognised heading."""
    marks: list[tuple[int, str]] = []
    seen: set[str] = set()
    headings: dict[int, str] = {}
    for i in range(len(grid.lines)):
        name = _heading(grid, i)
        if name:
            headings[i] = name
        if name and name not in seen:
            marks.append((i, name))
            seen.add(name)
    for name in TABLE_SECTIONS:
        if name not in seen:
            anchor = _find_anchor(grid, name, marks)
            if anchor is not None:
                marks.append((anchor, name))
                seen.add(name)
    marks.sort()
    sections: dict[str, Section] = {}
    for k, (i, name) in enumerate(marks):
        end = marks[k + 1][0] if k + 1 < len(marks) else len(grid.lines)
        anchored = headings.get(i) != name
        start = i if anchored else i + 1
        sections[name] = Section(name, start, end, None if anchored else i)
    return sections


def _find_anchor(grid: Grid, name: str, marks: list[tuple[int, str]]) -> int | None:
    """The first line holding one of the section's table anchors, outside the sections already found."""
    taken = {i for i, _ in marks}
    after = 0
    order = list(TABLE_SECTIONS)
    for i, other in marks:
        if other in order and order.index(other) < order.index(name):
            after = max(after, i + 1)
    for i in range(after, len(grid.lines)):
        if i in taken:
            continue
        text = label_key(grid.line_text(i))
        if any(a in text for a in _ANCHORS[name]) and len(text) < 200:
            return i
    return None
