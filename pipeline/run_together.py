"""Crawled text whose table cells ran together (spec §14, issue 8): place what the identities decide.

`pipeline.crawled` reads each section's label → digit-run pairs, `pipeline.runtogether` enumerates the
splits that satisfy the identities; this module turns a solution into cells (provenance
`split_by_identity`) and its notes into findings. Ambiguous or impossible rows emit no cells.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline import crawled
from pipeline.disclosure import column_order, detect_template
from pipeline.layout import Token
from pipeline.normalize import parse_value
from pipeline.place import Placer
from pipeline.runtogether import Solution, solve_applications, solve_plain, solve_review
from pipeline.templates import APPLICATION_COLUMNS, APPLICATION_ROWS, DISCLOSURE_TABLES, REVIEW_ROW


def _place_solution(sol: Solution, table: str, lines_of: dict[str, int], kinds: dict[str, str],
                    placer: Placer) -> None:
    for (row, column), literal in sol.raw.items():
        tok = Token(literal, "", "value", parse_value(literal), lines_of.get(row, 0), 0)
        placer.place(table, row, column, tok, kinds.get(column, "count"), provenance="split_by_identity")
    for n in sol.notes():
        placer.find(n.severity, n.code, n.message, table=n.table or table, row=n.row,
                    cells=[list(c) for c in n.cells] or None, raw=n.raw)


def _report_runs(placer: Placer, table: str, runs: Sequence[crawled.CrawledRun], code: str, why: str,
                 first_line: int) -> None:
    for r in runs:
        placer.find("warning" if code == "extra_row" else "error", code, f"{table}: {why}: {r.raw}",
                    table=table, row=r.row, line=first_line + r.line - 1, raw=r.raw)


def extract_disclosure(lines: Sequence[str], first_line: int, placer: Placer) -> dict[str, str]:
    templates: dict[str, str] = {}
    for key, ct in crawled.disclosure_runs(lines).items():
        table = DISCLOSURE_TABLES[key]
        tpl, _ = detect_template(table, ct.labels, None)
        if tpl == "unknown":
            placer.find("warning", "template_unknown", f"{key}: no header marks its template", table=key)
            continue
        templates[key] = tpl
        measures = column_order(table.measures[tpl], ct.labels)
        columns = tuple(m.key for m in measures)
        kinds = {m.key: m.kind for m in measures}
        for row, run in ct.runs.items():
            sol = solve_plain(run.run, tuple(m.kind for m in measures), row=row, columns=columns, table=key)
            if run.unit and (row, columns[-1]) in sol.raw:  # `…1596496.16元`: the unit belongs to the last cell
                sol.raw[(row, columns[-1])] += run.unit
            _place_solution(sol, key, {row: first_line + run.line - 1}, kinds, placer)
        _report_runs(placer, key, ct.unmatched, "extra_row", "a run after a label that is no row of the table",
                     first_line)
        _report_runs(placer, key, ct.duplicates, "cells_unplaced", "a second run for the same row", first_line)
        placer.report_missing_rows(key, [item.key for item in table.rows[tpl]])
    return templates


def extract_applications(lines: Sequence[str], first_line: int, template: str, placer: Placer) -> None:
    ct = crawled.application_runs(lines, template)
    sol = solve_applications(ct.run_map(), template)
    line_of = {row: first_line + r.line - 1 for row, r in ct.runs.items()}
    _place_solution(sol, "applications", line_of, dict.fromkeys(APPLICATION_COLUMNS, "count"), placer)
    _report_runs(placer, "applications", ct.unmatched, "cells_unplaced", "a run after an unknown label",
                 first_line)
    _report_runs(placer, "applications", ct.duplicates, "cells_unplaced", "a second run for the same row",
                 first_line)
    placer.report_missing_rows("applications", [row.key for row in APPLICATION_ROWS[template]])


def extract_review(lines: Sequence[str], first_line: int, placer: Placer) -> None:
    run = crawled.review_run(lines)
    if run is None:
        placer.find("error", "table_missing", "review_litigation: no values found", table="review_litigation")
        return
    sol = solve_review(run.run)
    _place_solution(sol, "review_litigation", {REVIEW_ROW: first_line + run.line - 1}, {}, placer)
