"""Real-like generated reports (spec §15, issue 13 point 6) through the parser, ~40 per layout.

The rule of spec §15: a number is placed only where its row and column are certain. So for every report:
(a) no wrong cell: a placed value differs from the truth, or a cell is placed that the report does not
have; (b) every truth cell left out is explained by a finding (same table and the same row or none, or
the cell listed in the finding's `cells`); (c) template and report year right; and the report is read at
all (no ParseError). Until the parser reads real files these tests fail: their message counts what
goes wrong per layout, which is the to-do list of the parser work.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from pipeline import ParseError, Report, parse_bytes
from synthetic.corpus import LAYOUTS, REAL_LAYOUTS, RUN_TOGETHER, SynthReport, make_real_like, report_rng
from synthetic.realistic import BROKEN_NUMBER_LAYOUTS

N = 40
SEED = 31
TEXT = "text_with_traits"  # the generated text layouts with heading variants and broken numbers
_TEXT_LAYOUTS = (*BROKEN_NUMBER_LAYOUTS, *(x for x in (*LAYOUTS, RUN_TOGETHER) if x not in BROKEN_NUMBER_LAYOUTS))

Key = tuple[str, str, str]


def reports(layout: str, n: int = N) -> list[tuple[SynthReport, bytes]]:
    if layout == TEXT:
        return [make_real_like(i, report_rng(SEED, i), _TEXT_LAYOUTS[i % len(_TEXT_LAYOUTS)]) for i in range(n)]
    return [make_real_like(i, report_rng(SEED, i), layout) for i in range(n)]


def _same(a: object, b: object) -> bool:
    if a is None or b is None:
        return a is b
    return abs(float(a) - float(b)) < 1e-6  # type: ignore[arg-type]


def _explained(key: Key, parsed: Report) -> bool:
    table, row, _ = key
    return any((f.table == table and f.row in (None, row)) or (f.cells and list(key) in [list(c) for c in f.cells])
               for f in parsed.findings)


@dataclass
class Outcome:
    """What went wrong in a sample of reports, with a few examples of each."""

    reports: int = 0
    parse_errors: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    template: list[str] = field(default_factory=list)
    year: list[str] = field(default_factory=list)
    cells: int = 0
    placed_right: int = 0

    def failed(self) -> bool:
        return bool(self.parse_errors or self.wrong or self.unexplained or self.template or self.year)

    def summary(self) -> str:
        return (f"{self.reports} reports: {len(self.parse_errors)} ParseError, {len(self.wrong)} wrong cells, "
                f"{len(self.unexplained)} unexplained missing cells, {len(self.template)} wrong template, "
                f"{len(self.year)} wrong year; {self.placed_right}/{self.cells} truth cells placed right")


def check(sample: list[tuple[SynthReport, bytes]]) -> Outcome:
    out = Outcome()
    for r, data in sample:
        out.reports += 1
        out.cells += len(r.values)
        try:
            parsed = parse_bytes(data, r.name)
        except ParseError as exc:
            out.parse_errors.append(f"{r.name}: {exc}")
            continue
        got: dict[Key, object] = {(c.table, c.row, c.column): c.value for c in parsed.cells}
        for key, value in got.items():
            if key not in r.values:
                out.wrong.append(f"{r.name} {key}: placed {value!r}, not in the report")
            elif not _same(value, r.values[key]):
                out.wrong.append(f"{r.name} {key}: placed {value!r}, truth {r.values[key]!r}")
            else:
                out.placed_right += 1
        out.unexplained += [f"{r.name} {key}" for key in r.values if key not in got and not _explained(key, parsed)]
        if parsed.template != r.template:
            out.template.append(f"{r.name}: {parsed.template} for {r.template}")
        if parsed.report_year != r.report_year:
            out.year.append(f"{r.name}: {parsed.report_year} for {r.report_year}")
    return out


@pytest.mark.parametrize("layout", [*REAL_LAYOUTS, TEXT])
def test_real_like_reports_parse_without_a_wrong_or_unexplained_cell(layout):
    out = check(reports(layout))
    examples = "\n".join(f"  {kind}: {xs[:3]}" for kind, xs in (
        ("ParseError", out.parse_errors), ("wrong", out.wrong), ("unexplained", out.unexplained),
        ("template", out.template), ("year", out.year)) if xs)
    assert not out.failed(), f"{layout}: {out.summary()}\n{examples}"
