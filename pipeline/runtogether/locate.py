"""Where each table and each row is in run-together text: found by what the text contains (spec §15).

Crawled pages print every table's cells glued to their labels, often the whole page on one line, with
site chrome and prose around the tables. Nothing here trusts line breaks or heading numbers:

* a table starts at its header (`第二十条第（X）项`, the application table's 勾稽 note or applicant columns,
  the review table's `结果维持 … 尚未审结`), found anywhere inside a label; the header words are consumed,
  so `…法律服务机构其他一、本年新收…` leaves the row label `一、本年新收…` (and the header's `总计` is not a row);
* inside a table, each label is matched to the table's rows by its key phrases (spec §5.3); a label that
  names several rows (`2.…申请3.其他（七）总计`, rows printed without values) gives its run to the last;
* a table ends at the next table's header, after its last row, or at a label that is prose (long, no row).

Runs outside every table (prose numbers, dates, CSS) are never read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from pipeline.layout import split_line
from pipeline.normalize import strip_numbering
from pipeline.runtogether.pieces import Piece, cut_runs
from pipeline.templates import APPLICATION_MARKERS_2021, APPLICATION_ROWS, DISCLOSURE_TABLES, AppRow

APPLICATIONS = "applications"
REVIEW = "review_litigation"

_SUBHEAD = re.compile(r"第二十条第\(?([一二三四五六七八九十]{1,2})\)?项")
_ITEM_TO_TABLE = {t.item: key for key, t in DISCLOSURE_TABLES.items()}
# Where a list number or ordinal starts a label inside a longer label: `(三)不予公开1.属于国家秘密`.
_ORDINAL = re.compile(r"\d{1,2}[.、]|\([一二三四五六七八九十]{1,3}\)|[一二三四五六七八九十]{1,3}、")
_PARENS = re.compile(r"\([^()]*\)")

# Header words of each table (normalised), consumed before a row label is matched. The application
# table's note is matched by its own pattern: its wording and punctuation vary.
_APP_NOTE = re.compile(r"\(?本列数据的?[勾钩]稽关系[^)]*\)?")
_APP_HEADER = ("申请人情况", "法人或其他组织", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构",
               "总计", "其他")
_APP_ANCHORS = ("申请人情况", "法人或其他组织")
_REVIEW_HEADER = ("行政复议", "行政诉讼", "结果维持", "结果纠正", "其他结果", "尚未审结", "总计",
                  "未经复议直接起诉", "复议后起诉")
_REVIEW_ANCHOR = re.compile(r"结果维持.{0,40}?(?:尚未审结|结果纠正)")
_DISCLOSURE_HEADER = tuple(sorted(
    {"信息内容", "(单位:万元)", "单位:万元", *(p for t in DISCLOSURE_TABLES.values() for ms in t.measures.values()
                                         for m in ms for p in (m.label, *m.phrases))},
    key=len, reverse=True))

PROSE_LENGTH = 24  # an unmatched label longer than this is prose: the table has ended


@dataclass(frozen=True)
class Pair:
    """A label and the run that follows it; `continued`: a run directly after another run (no label)."""

    label: str  # label key (normalize.label_key) of the text between the previous run and this one
    run: Piece
    line: int  # 1-based line of the run
    continued: bool = False


@dataclass(frozen=True)
class RowRun:
    """One row's digit run, the label it followed and where it stood."""

    row: str | None  # the row key; None when the label matched no row
    run: str  # several runs of one row are joined by a space (a known cut)
    label: str
    line: int
    raw: str
    unit: str | None = None
    touched: bool = False  # a piece of the run meets a U+FFFD (bytes lost in decoding): never split


@dataclass
class FoundTable:
    """A table's stretch of the text: its header labels and its rows' runs."""

    key: str
    line: int  # 1-based line of its header
    labels: list[str] = field(default_factory=list)  # label keys, for template detection
    pairs: list[tuple[str, Pair]] = field(default_factory=list)  # (row label part, pair)
    runs: dict[str, RowRun] = field(default_factory=dict)  # row key → run (the first one seen)
    unmatched: list[RowRun] = field(default_factory=list)  # runs after a label that is no row of the table
    duplicates: list[RowRun] = field(default_factory=list)  # a second run for a row already seen
    unvalued: list[str] = field(default_factory=list)  # rows whose label is printed with no run after it
    named: set[str] = field(default_factory=set)  # every row the labels name so far (either template)

    def add(self, label: str, pair: Pair) -> None:
        self.pairs.append((label, pair))
        if label:
            self.named.update(_rows_named(self.key, label))

    def run_map(self) -> dict[str, str]:
        return {k: v.run for k, v in self.runs.items()}


def pairs(lines: Sequence[str]) -> list[Pair]:
    """Every run of the text with the label text before it. Label text spanning cells and lines is joined."""
    out: list[Pair] = []
    label: list[str] = []
    after_run = False
    for i, line in enumerate(lines, start=1):
        for cell in split_line(line):
            for p in cut_runs(cell):
                if p.kind == "label":
                    label.append(p.key)
                    after_run = False
                    continue
                out.append(Pair("".join(label), p, i, continued=after_run and not label))
                label = []
                after_run = True
    return out


def _strip_words(text: str, words: tuple[str, ...], note: re.Pattern[str] | None = None) -> str:
    """`text` without the header words it starts with (greedy, longest first)."""
    i = 0
    while i < len(text):
        m = note.match(text, i) if note is not None else None
        if m and m.end() > i:
            i = m.end()
            continue
        for w in words:
            if text.startswith(w, i):
                i += len(w)
                break
        else:
            break
    return text[i:]


def _anchor(label: str) -> tuple[int, str, str] | None:
    """The last table header inside a label: (position, table key, the text after the header words).

    A header counts only where a table follows it: the row label left after its header words names a
    row of that table and is short (`根据第二十条第（一）项规定，本年…` in prose is no table).
    """
    found: list[tuple[int, str, str]] = []
    for m in _SUBHEAD.finditer(label):
        if m.group(1) in _ITEM_TO_TABLE:
            key = _ITEM_TO_TABLE[m.group(1)]
            found.append((m.start(), key, _strip_words(label[m.end():], _DISCLOSURE_HEADER)))
    m = _APP_NOTE.search(label)
    starts = [m.start()] if m else []
    starts += [i for a in _APP_ANCHORS if (i := label.find(a)) >= 0]
    if starts:
        start = min(starts)
        found.append((start, APPLICATIONS, _strip_words(label[start:], _APP_HEADER, _APP_NOTE)))
    m = _REVIEW_ANCHOR.search(label)
    if m:
        start = min([m.start(), *(i for w in ("行政复议", "行政诉讼") if 0 <= (i := label.find(w)) < m.start())])
        found.append((start, REVIEW, _strip_words(label[start:], _REVIEW_HEADER)))
    found = [f for f in found if f[1] == REVIEW or (_rows_named(f[1], f[2]) and len(f[2]) <= 2 * PROSE_LENGTH)]
    return max(found, key=lambda f: f[0]) if found else None


def find_tables(items: Sequence[Pair], stretches: list[FoundTable] | None = None) -> dict[str, FoundTable]:
    """The tables of the text, each with its (row label, pair) list, in text order.

    A table whose header appears twice (a table printed twice, a header quoted in prose) keeps the
    stretch that names the most rows; the others are never merged into it. `stretches` receives every
    stretch found, in text order.
    """
    stretches = [] if stretches is None else stretches
    current: FoundTable | None = None
    for pair in items:
        if pair.continued:
            if current is not None and current.pairs:
                current.add("", pair)
            continue
        anchor = _anchor(pair.label)
        if anchor is not None:
            _, key, label = anchor
            current = FoundTable(key, pair.line, labels=[pair.label])
            stretches.append(current)
            current.add(label, pair)
            continue
        if current is None:
            continue
        if current.key == REVIEW or _ends(current, pair.label):
            current = None  # the review table has one data row: a label after it ends the table
            continue
        current.labels.append(pair.label)
        current.add(pair.label, pair)
    tables: dict[str, FoundTable] = {}
    for t in stretches:
        old = tables.get(t.key)
        if old is None or _named(t) > _named(old):
            tables[t.key] = t
    return tables


def second_set(stretches: Sequence[FoundTable]) -> tuple[FoundTable, FoundTable] | None:
    """(the first table of the report, the first of a second, different set) when the tables of 二, 三
    and 四 are all found again, in order, after the first set ended; None otherwise, or when the second
    set repeats the first exactly (one report printed twice, as a page and its print version)."""
    sets = []
    k = 0
    while len(sets) < 2:
        found = []
        for kind in ("disclosure", APPLICATIONS, REVIEW):
            while k < len(stretches) and not (stretches[k].pairs and _section(stretches[k].key) == kind):
                k += 1
            if k == len(stretches):
                return None
            found.append(k)
            k += 1
        sets.append(found)
    (a, _, b), (c, _, d) = sets
    first = [(t.key, [(label, p.run.text) for label, p in t.pairs]) for t in stretches[a:b + 1]]
    second = [(t.key, [(label, p.run.text) for label, p in t.pairs]) for t in stretches[c:d + 1]]
    return None if first == second else (stretches[a], stretches[c])


def _section(key: str) -> str:
    return "disclosure" if key.startswith("art20") else key


def _named(table: FoundTable) -> int:
    return len(table.named) + bool(table.pairs)


def _ends(table: FoundTable, label: str) -> bool:
    """True when `label` is no row of the table: anything after the table's last row, or prose."""
    if _complete(table):
        return True
    return not _rows_named(table.key, label) and len(label) > PROSE_LENGTH


def _complete(table: FoundTable) -> bool:
    """The table's last row has been read (carried_forward, or the last item of a 第二十条 table)."""
    seen = table.named
    if table.key == APPLICATIONS:
        return "carried_forward" in seen
    if table.key == REVIEW:
        return bool(table.pairs)
    finals = {items[-1].key for items in DISCLOSURE_TABLES[table.key].rows.values()}
    if len(finals) == 1:
        return bool(finals & seen)
    # art20_5: 2019 ends with other_admin_services, 2021 with licensing: only the header tells which.
    return "other_admin_services" in seen or ("licensing" in seen and "本年处理决定数量" in "".join(table.labels))


@lru_cache(maxsize=8192)  # the same labels in every report
def _rows_named(table: str, label: str) -> tuple[str, ...]:
    """Every row the label names, in order, under either template."""
    if table == REVIEW:
        return ()
    if table == APPLICATIONS:
        named = [r.key for seg in segments(label) for tpl in ("2019", "2021")
                 if (r := match_application_piece(seg, tpl)) is not None]
        return tuple(dict.fromkeys(named))
    item = match_item(table, label)
    return (item,) if item else ()


def segments(label: str) -> list[str]:
    """The label cut before every ordinal or list number: `(三)不予公开1.属于国家秘密` → two pieces."""
    starts = [0, *(m.start() for m in _ORDINAL.finditer(label) if m.start() > 0)]
    return [label[a:b] for a, b in zip(starts, [*starts[1:], len(label)], strict=True) if label[a:b]]


@lru_cache(maxsize=8192)  # the same labels in every report
def match_application_piece(piece: str, template: str) -> AppRow | None:
    """The application row a label piece names: its phrase ending last wins; `其他` must stand alone."""
    bare = strip_numbering(_PARENS.sub("", piece) if piece.startswith("(") and "区分处理" in piece else piece)
    best: tuple[int, AppRow] | None = None
    for row in APPLICATION_ROWS[template]:
        if bare in row.exact:
            return row
        for p in row.phrases:
            i = bare.rfind(p)
            if i >= 0 and (best is None or i + len(p) > best[0]):
                best = (i + len(p), row)
    return best[1] if best else None


def application_template(table: FoundTable) -> str:
    """2021 if a （六） sub-row marker appears; 2019 if `其他处理` carries a run of its own; else unknown."""
    text = "".join(table.labels)
    if any(m in text for m in APPLICATION_MARKERS_2021):
        return "2021"
    for label, pair in table.pairs:
        if pair.continued or not label:
            continue
        last = segments(label)[-1] if label else ""
        if "其他处理" in last or "其他受理" in last:
            return "2019"
    return "unknown"


def application_runs(table: FoundTable, template: str) -> None:
    """Assign the table's runs to application rows (fills table.runs / unmatched / duplicates / unvalued)."""
    def named(label: str) -> list[str]:
        rows = [r.key for seg in segments(label) if (r := match_application_piece(seg, template)) is not None]
        return list(dict.fromkeys(rows))

    _assign(table, named)


def disclosure_runs(table: FoundTable) -> None:
    """Assign the runs of a 第二十条 table to its items."""
    _assign(table, lambda label: [item] if (item := match_item(table.key, label)) else [])


def _assign(table: FoundTable, rows_named: Callable[[str], list[str]]) -> None:
    """Each run to the last row its label names; the rows named before it were printed without values."""
    last: RowRun | None = None
    for label, pair in table.pairs:
        if pair.continued:
            if last is not None:
                last = _continue(table, last, pair)
            continue
        named = rows_named(label)
        table.unvalued += [r for r in named[:-1] if r not in table.runs and r not in table.unvalued]
        run = pair.run
        last = _record(table, RowRun(named[-1] if named else None, run.text, label, pair.line, run.raw, run.unit,
                                     run.touched))
    table.unvalued = [r for r in table.unvalued if r not in table.runs]


def review_run(table: FoundTable) -> RowRun | None:
    """The review table's single data row: the run after its header, with the runs that continue it."""
    found: RowRun | None = None
    for _, pair in table.pairs:
        if found is None:
            found = RowRun("cases", pair.run.text, "", pair.line, pair.run.raw, touched=pair.run.touched)
        else:
            found = RowRun("cases", f"{found.run} {pair.run.text}", "", found.line, f"{found.raw} {pair.run.raw}",
                           touched=found.touched or pair.run.touched)
    return found


def _record(table: FoundTable, run: RowRun) -> RowRun:
    if run.row is None:
        table.unmatched.append(run)
    elif run.row in table.runs:
        table.duplicates.append(run)
    else:
        table.runs[run.row] = run
    return run


def _continue(table: FoundTable, last: RowRun, pair: Pair) -> RowRun:
    p = pair.run
    joined = RowRun(last.row, f"{last.run} {p.text}", last.label, last.line, f"{last.raw} {p.raw}",
                    p.unit or last.unit, last.touched or p.touched)
    for bucket in (table.unmatched, table.duplicates):
        if bucket and bucket[-1] is last:
            bucket[-1] = joined
            return joined
    if last.row is not None and table.runs.get(last.row) is last:
        table.runs[last.row] = joined
    return joined


@lru_cache(maxsize=8192)
def match_item(table: str, key: str) -> str | None:
    """The 第二十条 item whose phrase ends last in the label (header text comes first)."""
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
