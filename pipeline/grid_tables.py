"""Tables of a grid (delimited text, HTML, Word, PDF): sections → tokens → logical rows → cells.

The reader for every document whose cells are cells: it locates the table sections by what they contain
(`pipeline.sections`), reads each section's tokens in its physical layout (`pipeline.layout`) and hands the
logical rows to the table extractors. Used through the `TableReader` interface of `pipeline.parse`,
like the run-together reader.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.applications import detect_template as detect_applications_template
from pipeline.applications import extract_applications
from pipeline.disclosure import extract_disclosure
from pipeline.layout import Grid, LogicalRow, grid_lines_text, logical_rows, tokens
from pipeline.normalize import label_key
from pipeline.place import Placer
from pipeline.review import extract_review
from pipeline.sections import Section, find_sections, second_tables

_REVIEW_ROWS = 4  # lines after the review table's anchor that hold its headers and data row


def _key(lines: Sequence[str]) -> str:
    return label_key("".join(lines))


class GridTables:
    """The tables of a grid, read section by section in each section's own physical layout."""

    def __init__(self, grid: Grid, lines: Sequence[str] | None = None) -> None:
        self.grid = grid
        self._lines = lines
        self._anchors: dict[str, int] = {}
        self.sections: dict[str, Section] = find_sections(grid, lines, self._anchors)
        self.layouts: list[str] = []
        self._skipped: list[int] = []
        self._app_rows: list[LogicalRow] | None = None
        self._app_wrapped = False  # the application table is in a row layout: labels may wrap over rows

    def found(self) -> set[str]:
        return set(self.sections)

    def second_report(self) -> str | None:
        """Where a second, different set of the report's tables starts (see `TableReader`), or None."""
        lines = self._lines
        if lines is None:
            lines = grid_lines_text(self.grid)
        again = second_tables(self.grid, lines, self._anchors)
        if again is None:
            return None
        first = _key(lines[self._anchors["disclosure"]:self._anchors["review"] + _REVIEW_ROWS])
        if first == _key(lines[again["disclosure"]:again["review"] + _REVIEW_ROWS]):
            return None  # the same tables printed twice (a page and its print version): one report
        return (f"the tables of sections 二, 三 and 四 start on line {self._anchors['disclosure'] + 1} and again, "
                f"with other contents, on line {again['disclosure'] + 1}")

    def first_line(self) -> int | None:
        return min((s.heading_line if s.heading_line is not None else s.start for s in self.sections.values()),
                   default=None)

    def _rows(self, name: str) -> tuple[list[LogicalRow], str]:
        sec = self.sections[name]
        toks, mode = tokens(self.grid, sec.start, sec.end, self._skipped)
        self.layouts.append(mode)
        return logical_rows(toks, mode, self.grid.exact), mode

    def read_disclosure(self, placer: Placer) -> dict[str, str]:
        sec = self.sections.get("disclosure")
        if sec is None:
            return {}
        toks, mode = tokens(self.grid, sec.start, sec.end, self._skipped)
        self.layouts.append(mode)
        return extract_disclosure(toks, mode, self.grid.exact, placer)

    def application_template(self) -> str | None:
        if "applications" not in self.sections:
            return None
        self._app_rows, mode = self._rows("applications")
        self._app_wrapped = mode == "row"
        return detect_applications_template(self._app_rows, self._app_wrapped) if self._app_rows else None

    def read_applications(self, template: str, placer: Placer) -> None:
        if self._app_rows:
            extract_applications(self._app_rows, template, placer, self._app_wrapped)

    def read_review(self, placer: Placer) -> None:
        if "review" in self.sections:
            extract_review(self._rows("review")[0], placer)

    def finish(self, placer: Placer) -> None:
        if self._skipped:
            placer.find("info", "page_number_skipped",
                        f"page numbers inside the tables left out (lines {', '.join(map(str, self._skipped))})",
                        line=self._skipped[0])
