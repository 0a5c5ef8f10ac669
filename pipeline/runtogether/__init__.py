"""Run-together text: table cells glued to their labels with no delimiter (spec §14, §15), one reader.

Crawled pages lose every cell boundary (`规章000规范性文件1077`, `一、本年新收…数量0 0 0 0 0 00`), often with
the whole page on one line. Such text cannot become a grid, so it has a reader of its own, chosen like
the other layouts (`detect`) and used through the same `TableReader` interface as the grid reader
(`pipeline.parse`):

* `pieces` cuts text into labels and digit runs;
* `locate` finds each table and each row's run by the labels and headers the text contains;
* `splits` enumerates how a run splits into cells, and `solve` keeps what the identities decide;
* this module turns the decisions into cells (provenance `split_by_identity`) and findings.

A value is placed only where its split is certain; ambiguous rows are left out with their candidates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pipeline.disclosure import column_order, detect_template
from pipeline.layout import Grid, Token
from pipeline.normalize import parse_value
from pipeline.place import Placer, shorten
from pipeline.runtogether.locate import (
    APPLICATIONS,
    REVIEW,
    FoundTable,
    RowRun,
    application_runs,
    application_template,
    disclosure_runs,
    find_tables,
    pairs,
    review_run,
    second_set,
)
from pipeline.runtogether.solve import Solution, solve_applications, solve_plain, solve_review
from pipeline.runtogether.splits import MAX_DIGITS, canonical_run, max_run_length
from pipeline.templates import APPLICATION_COLUMNS, APPLICATION_ROWS, DISCLOSURE_TABLES, REVIEW_COLUMNS, REVIEW_ROW

LAYOUT = "run_together"

_TEMPLATE_PHRASES = tuple(sorted(
    {p for rows in APPLICATION_ROWS.values() for r in rows for p in r.phrases}
    | {p for t in DISCLOSURE_TABLES.values() for rows in t.rows.values() for it in rows for p in it.phrases},
    key=len, reverse=True,
))
# A digit run right after an ideograph (or a closing quote or bracket), spaces allowed but never a cell
# delimiter: where a row label may share its cell with its values. The label is then checked by
# `str.endswith` on the text before it, which is cheaper than a regex of every phrase.
_AFTER_IDEOGRAPH = re.compile(r"(?<=[\u3400-\u9fff”\"」』)）])[ \u3000]*+[0-9０-９][0-9０-９ \u3000.]*+(.?)")
_CLOSERS = "”\"」』)）"
_REACH = max(map(len, _TEMPLATE_PHRASES)) + 2  # characters before a run that may hold its row label
_MEASURE_WORDS = frozenset("件项个次人家条份宗起余多万亿%％年月日天")
MIN_ROWS = 3  # rows sharing a cell with their run that make a document run-together


def glued_rows(grid: Grid, text: str | None = None, stop_at: int | None = None) -> int:
    """How many table-row labels share a cell with the digit run after them (glued or space-separated).

    The delimited layouts (pipes, tabs, one cell per line, HTML and Word tables) give a label and its
    values cells of their own; prose numbers carry a measure word (`收到申请12件`). A text file is searched as
    its `text` (the pattern crosses no tab, pipe or line break), other grids cell by cell. With `stop_at`,
    counting stops there.
    """
    texts = (c for cells in grid.lines for c in cells if len(c) > 2) if text is None else (text,)
    n = 0
    for t in texts:
        for m in _AFTER_IDEOGRAPH.finditer(t):
            if m.group(1) in _MEASURE_WORDS and m.group(1):
                continue
            if t[max(0, m.start() - _REACH):m.start()].rstrip(_CLOSERS).endswith(_TEMPLATE_PHRASES):
                n += 1
                if stop_at is not None and n >= stop_at:
                    return n
    return n


class RunTogetherTables:
    """The tables of a run-together document, read through the `TableReader` interface."""

    layouts = (LAYOUT,)

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        self._stretches: list[FoundTable] = []
        self.tables = find_tables(pairs(self.lines), self._stretches)

    @classmethod
    def detect(cls, grid: Grid, lines: Sequence[str], text_file: bool = False) -> RunTogetherTables | None:
        """This reader when the document's table rows share their cells with their values, else None.
        `text_file`: `lines` are the file's own text lines (else they are a grid's cells joined by spaces)."""
        if glued_rows(grid, "\n".join(lines) if text_file else None, stop_at=MIN_ROWS) < MIN_ROWS:
            return None
        reader = cls(lines)
        return reader if reader.tables else None

    def found(self) -> set[str]:
        names = {"applications": APPLICATIONS, "review": REVIEW}
        out = {name for name, key in names.items() if key in self.tables}
        if any(key.startswith("art20") for key in self.tables):
            out.add("disclosure")
        return out

    def second_report(self) -> str | None:
        """Where a second, different set of the report's tables starts (see `TableReader`), or None."""
        found = second_set(self._stretches)
        if found is None:
            return None
        first, second = found
        return (f"the tables of sections 二, 三 and 四 start on line {first.line} and again, with other contents, "
                f"on line {second.line}" + (" (further along the same line)" if first.line == second.line else ""))

    def first_line(self) -> int | None:
        """0-based line of the first table (the title block ends before it)."""
        return min((t.line - 1 for t in self.tables.values()), default=None)

    def read_disclosure(self, placer: Placer) -> dict[str, str]:
        templates: dict[str, str] = {}
        for key in (k for k in DISCLOSURE_TABLES if k in self.tables):
            ft = self.tables[key]
            table = DISCLOSURE_TABLES[key]
            disclosure_runs(ft)
            tpl, _ = detect_template(table, ft.labels, None)
            if tpl == "unknown":
                placer.find("warning", "template_unknown", f"{key}: no header marks its template", table=key,
                            line=ft.line)
                continue
            templates[key] = tpl
            measures = column_order(table.measures[tpl], [ft.labels])
            columns = tuple(m.key for m in measures)
            kinds = {m.key: m.kind for m in measures}
            for row, run in ft.runs.items():
                if _unsplittable(placer, key, run, columns):
                    continue
                sol = solve_plain(run.run, tuple(m.kind for m in measures), row=row, columns=columns, table=key)
                if run.unit in ("元", "万元") and (row, columns[-1]) in sol.raw:
                    sol.raw[(row, columns[-1])] += run.unit  # `…1596496.16元`: the unit belongs to the last cell
                _place(sol, key, {row: run.line}, kinds, placer)
            _report_runs(placer, key, ft.unmatched, "extra_row", "a run after a label that is no row of the table")
            _report_runs(placer, key, ft.duplicates, "cells_unplaced", "a second run for the same row")
            placer.report_missing_rows(key, [item.key for item in table.rows[tpl]])
        return templates

    def application_template(self) -> str | None:
        ft = self.tables.get(APPLICATIONS)
        return application_template(ft) if ft is not None else None

    def read_applications(self, template: str, placer: Placer) -> None:
        ft = self.tables.get(APPLICATIONS)
        if ft is None:
            return
        application_runs(ft, template)
        runs = {row: r.run for row, r in ft.runs.items()
                if not _unsplittable(placer, APPLICATIONS, r, APPLICATION_COLUMNS)}
        sol = solve_applications(runs, template)
        _place(sol, APPLICATIONS, {row: r.line for row, r in ft.runs.items()},
               dict.fromkeys(APPLICATION_COLUMNS, "count"), placer)
        _report_unvalued(placer, ft)
        _report_runs(placer, APPLICATIONS, ft.unmatched, "cells_unplaced", "a run after an unknown label")
        _report_runs(placer, APPLICATIONS, ft.duplicates, "cells_unplaced", "a second run for the same row")
        placer.report_missing_rows(APPLICATIONS, [row.key for row in APPLICATION_ROWS[template]])

    def read_review(self, placer: Placer) -> None:
        ft = self.tables.get(REVIEW)
        if ft is None:
            return
        run = review_run(ft)
        if run is None:
            placer.find("error", "table_missing", "review_litigation: no values found after its header",
                        table=REVIEW, line=ft.line)
            return
        if not _unsplittable(placer, REVIEW, run, REVIEW_COLUMNS):
            _place(solve_review(run.run), REVIEW, {REVIEW_ROW: run.line}, {}, placer)

    def finish(self, placer: Placer) -> None:
        """Nothing left to report: every run outside the tables is prose, never read."""


def _unsplittable(placer: Placer, table: str, run: RowRun, columns: Sequence[str]) -> bool:
    """True, with a finding, for a run that is not split: one that meets bytes lost in decoding (a lost byte may
    have been a digit), or one longer than any row of its cells can be (a page's digits on one line: splitting
    it would only cost time, `max_run_length`)."""
    where = {"table": table, "row": run.row, "line": run.line, "cells": [[table, run.row, c] for c in columns]}
    if run.touched:
        placer.find("error", "value_undecodable",
                    f"{table}.{run.row}: run {shorten(run.raw)!r} meets bytes that could not be decoded (U+FFFD): "
                    "its digits are not all known; cells left out", raw=shorten(run.raw), **where)
        return True
    if len(run.run) > max_run_length(len(columns)) and len(canonical_run(run.run)) > max_run_length(len(columns)):
        placer.find("error", "run_too_long",
                    f"{table}.{run.row}: a run of {len(canonical_run(run.run)):,} characters ({shorten(run.raw)!r}) "
                    f"is longer than any row of {len(columns)} cells can be (at most "
                    f"{max_run_length(len(columns))}: {len(columns)} numbers of at most {MAX_DIGITS} digits); "
                    "not split, cells left out", raw=shorten(run.raw), **where)
        return True
    return False


def _place(sol: Solution, table: str, lines_of: dict[str, int], kinds: dict[str, str], placer: Placer) -> None:
    for (row, column), literal in sol.raw.items():
        tok = Token(literal, "", "value", parse_value(literal), lines_of.get(row, 0), 0)
        placer.place(table, row, column, tok, kinds.get(column, "count"), provenance="split_by_identity")
    for n in sol.notes():
        placer.find(n.severity, n.code, n.message, table=n.table or table, row=n.row,
                    cells=[list(c) for c in n.cells] or None, raw=n.raw, line=lines_of.get(n.row or ""))


def _report_runs(placer: Placer, table: str, runs: Sequence[RowRun], code: str, why: str) -> None:
    for r in runs:
        placer.find("warning" if code == "extra_row" else "error", code, f"{table}: {why}: {r.raw}",
                    table=table, row=r.row, line=r.line, raw=r.raw)


def _report_unvalued(placer: Placer, ft: FoundTable) -> None:
    """Rows whose label is printed with no value after it (cells merged over rows in the page, spec §15)."""
    for row in ft.unvalued:
        placer.find("error", "row_without_values",
                    f"{ft.key}.{row}: its label is printed but no value follows it (the page may have merged "
                    "its cells with another row's); cells left out", table=ft.key, row=row)


__all__ = ["LAYOUT", "RunTogetherTables", "glued_rows"]
