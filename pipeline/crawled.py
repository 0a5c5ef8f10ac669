"""Crawled text whose table cells ran together (spec §14): recognise the layout, find each row's digit run.

The layout: a row label followed directly by one digit run holding all of the row's cells
(`一、本年新收政府信息公开申请数量120000012`), often several rows on one line. This module only finds which
run belongs to which row (by the same key phrases as the other layouts, spec §5.3); how a run splits into
cells is pipeline.runtogether's job.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.layout import split_line
from pipeline.normalize import strip_numbering
from pipeline.runtogether import Piece, cut_runs
from pipeline.templates import APPLICATION_MARKERS_2021, APPLICATION_ROWS, DISCLOSURE_TABLES, AppRow

# Where a list number or ordinal starts a label inside a longer label (a header or a group label glued
# in front of the row's own label): `…其他总计一、本年新收…`, `(三)不予公开1.属于国家秘密`.
_ORDINAL = re.compile(r"\d{1,2}[.、]|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、")
_SUBHEAD = re.compile(r"第二十条第\(?([一二三四五六七八九十]{1,2})\)?项")
_ITEM_TO_TABLE = {t.item: key for key, t in DISCLOSURE_TABLES.items()}

# A row label glued to a run of at least this many digits is the layout's signature.
_MIN_RUN_DIGITS = 3
# ...unless a measure word follows the run: then it is prose (`全年共办理行政许可1234件`), not a table row.
_MEASURE_WORDS = frozenset("件项个次人家条份宗起余多万亿%年月日天")


@dataclass(frozen=True)
class CrawledRun:
    """One row's digit run, the label it followed and where it stood."""

    row: str | None  # the row key; None when the label matched no row
    run: str  # as runtogether.cut_runs gives it (several runs of one row are joined by a space)
    label: str  # the label key (normalize.label_key) the run followed
    line: int  # 1-based line of the run
    raw: str
    unit: str | None = None


@dataclass
class CrawledTable:
    """The runs found in one table of crawled text."""

    key: str
    runs: dict[str, CrawledRun] = field(default_factory=dict)  # row key → run (the first one seen)
    unmatched: list[CrawledRun] = field(default_factory=list)  # runs after a label that is no row of the table
    duplicates: list[CrawledRun] = field(default_factory=list)  # a second run for a row already seen
    labels: list[str] = field(default_factory=list)  # every label key, for template detection

    def run_map(self) -> dict[str, str]:
        return {k: v.run for k, v in self.runs.items()}


def _pieces(lines: Sequence[str]) -> list[tuple[int, Piece]]:
    """Pieces of every cell of every line, with 1-based line numbers."""
    out: list[tuple[int, Piece]] = []
    for i, line in enumerate(lines, start=1):
        for cell in split_line(line):
            out.extend((i, p) for p in cut_runs(cell))
    return out


def _row_phrases() -> list[str]:
    phrases = [p for rows in APPLICATION_ROWS.values() for r in rows for p in r.phrases]
    phrases += [p for t in DISCLOSURE_TABLES.values() for rows in t.rows.values() for it in rows for p in it.phrases]
    return sorted(set(phrases), key=len, reverse=True)


_PHRASES = _row_phrases()


# A cheap superset of a glued row, on the raw line: a character that is neither a space, a digit nor a
# cell delimiter, directly followed by three digits (run signs allowed between them). `\d` and `\s` match
# the full-width forms too, so no NFKC is needed. Only lines holding it are cut into pieces.
_SIGNS = r"[.+\-—–/．＋－／]*"
_GLUE_HINT = re.compile(rf"[^\s\d|｜](?:{_SIGNS}\d){{3}}")
_GLUE_HINT_TAB = re.compile(rf"[^\s\d](?:{_SIGNS}\d){{3}}")  # in a tab-delimited line `|` is cell text


def _hints(line: str) -> int:
    return len((_GLUE_HINT_TAB if "\t" in line else _GLUE_HINT).findall(line))


def glued_rows(lines: Sequence[str], stop_at: int | None = None) -> int:
    """How many table-row labels are followed directly (no space, no delimiter) by a run of ≥3 digits
    that is not itself followed by a measure word. With `stop_at`, the result only tells whether the
    count reaches `stop_at` (counting stops there).

    Every glued row shows one `_GLUE_HINT` of its own, so lines without one are skipped unread, and a
    document with fewer hints than `stop_at` is decided without cutting a single line.
    """
    hinted = [(line, k) for line in lines if (k := _hints(line))]
    if stop_at is not None and sum(k for _, k in hinted) < stop_at:
        return 0
    n = 0
    for line, _ in hinted:
        if stop_at is not None and n >= stop_at:
            break
        for cell in split_line(line):
            pieces = cut_runs(cell)
            for a, b, c in itertools.zip_longest(pieces, pieces[1:], pieces[2:]):
                if (b is not None and a.kind == "label" and b.kind == "run" and a.end == b.start
                        and b.digits >= _MIN_RUN_DIGITS and " " not in b.text and b.unit is None
                        and (c is None or c.text[0] not in _MEASURE_WORDS)
                        and any(p in a.key for p in _PHRASES)):
                    n += 1
    return n


def is_run_together(lines: Sequence[str], *, min_rows: int = 3) -> bool:
    """True when at least `min_rows` table-row labels carry their cells as one glued digit run.

    The seeds' layouts (pipes, tabs, one cell per line) never glue a label to its values, and prose numbers
    (`收到申请12件`) follow no row label of the templates, so a few such rows are a reliable signature.
    """
    return glued_rows(lines, stop_at=min_rows) >= min_rows


def _segments(key: str) -> list[str]:
    """The label itself and every tail that starts at an ordinal, the last (innermost) first."""
    starts = [m.start() for m in _ORDINAL.finditer(key)]
    return [key[s:] for s in reversed(starts) if s > 0] + [key]


@lru_cache(maxsize=4096)  # the same labels in every report
def match_application_row(key: str, template: str) -> AppRow | None:
    """The application row a (possibly glued) label names, as applications._match_leaf would match it."""
    rows = APPLICATION_ROWS[template]
    for seg in _segments(key):
        bare = strip_numbering(seg)
        for row in rows:
            if any(p in bare for p in row.phrases) or bare in row.exact:
                return row
    return None


def application_template(lines: Sequence[str]) -> str:
    """2021 if a （六） sub-row marker appears; 2019 if `其他处理` carries a run of its own; else unknown."""
    pieces = [p for _, p in _pieces(lines)]
    if any(m in p.key for p in pieces if p.kind == "label" for m in APPLICATION_MARKERS_2021):
        return "2021"
    for a, b in itertools.pairwise(pieces):
        if a.kind == "label" and b.kind == "run" and "其他处理" in _segments(a.key)[0]:
            return "2019"
    return "unknown"


def application_runs(lines: Sequence[str], template: str) -> CrawledTable:
    """Section 三's rows → their digit runs. A run after a run (the row wrapped) joins it with a known cut."""
    table = CrawledTable("applications")
    label = ""
    last: CrawledRun | None = None
    for line, p in _pieces(lines):
        if p.kind == "label":
            label = label + p.key if last is None else p.key
            table.labels.append(p.key)
            last = None
            continue
        if last is not None:  # a second run with no label between: the same row, continued
            last = _continue(table, last, p)
            continue
        row = match_application_row(label, template) if label else None
        last = _record(table, CrawledRun(row.key if row else None, p.text, label, line, p.raw, p.unit))
        label = ""
    return table


def _record(table: CrawledTable, run: CrawledRun) -> CrawledRun:
    if run.row is None:
        table.unmatched.append(run)
    elif run.row in table.runs:
        table.duplicates.append(run)
    else:
        table.runs[run.row] = run
    return run


def _continue(table: CrawledTable, last: CrawledRun, p: Piece) -> CrawledRun:
    joined = CrawledRun(last.row, f"{last.run} {p.text}", last.label, last.line, f"{last.raw} {p.raw}", p.unit)
    for bucket in (table.unmatched, table.duplicates):
        if bucket and bucket[-1] is last:
            bucket[-1] = joined
            return joined
    if last.row is not None and table.runs.get(last.row) is last:
        table.runs[last.row] = joined
    return joined


def review_run(lines: Sequence[str]) -> CrawledRun | None:
    """Section 四's single data row: the runs after the header (from its first `结果维持`), joined."""
    found: CrawledRun | None = None
    header = False
    for line, p in _pieces(lines):
        if p.kind == "label":
            header = header or "结果维持" in p.key or "审结" in p.key
            continue
        if not header:
            continue
        if found is None:
            found = CrawledRun("cases", p.text, "", line, p.raw)
        else:
            found = CrawledRun("cases", f"{found.run} {p.text}", "", found.line, f"{found.raw} {p.raw}")
    return found


def disclosure_runs(lines: Sequence[str]) -> dict[str, CrawledTable]:
    """Section 二's sub-tables (cut at `第二十条第（X）项`) → their rows' runs and their header labels.

    A label may hold the header and the first row label glued together (`…现行有效件数规章`): the row is the
    one whose phrase ends last in the label. The template is for the caller to detect from `labels`
    (disclosure.detect_template accepts the glued keys: it matches markers as substrings).
    """
    tables: dict[str, CrawledTable] = {}
    current: CrawledTable | None = None
    label = ""
    for line, p in _pieces(lines):
        if p.kind == "label":
            m = _SUBHEAD.search(p.key)
            if m and m.group(1) in _ITEM_TO_TABLE:
                current = tables.setdefault(_ITEM_TO_TABLE[m.group(1)], CrawledTable(_ITEM_TO_TABLE[m.group(1)]))
                p_key = p.key[m.end():]
                label = p_key
                if p_key:
                    current.labels.append(p_key)
                continue
            label = p.key
            if current is not None:
                current.labels.append(p.key)
            continue
        if current is None:
            continue
        row = _match_item(current.key, label)
        _record(current, CrawledRun(row, p.text, label, line, p.raw, p.unit))
        label = ""
    return tables


def _match_item(table: str, key: str) -> str | None:
    """The item row whose phrase ends last in the label (the header text comes first)."""
    best: tuple[int, int, str] | None = None
    for rows in DISCLOSURE_TABLES[table].rows.values():
        for it in rows:
            if any(x in key for x in it.exclude):
                continue
            for phrase in it.phrases:
                i = key.rfind(phrase)
                if i >= 0:
                    cand = (i + len(phrase), len(phrase), it.key)
                    best = cand if best is None or cand[:2] > best[:2] else best
    return best[2] if best else None
