"""Section 三, the application table (pipeline/applications.py): the rows of seed 003 that lost their labels."""

from __future__ import annotations

from tests.support import variants as V


def _parse(parse_cached, text: str, name: str, enc: str = "utf-8"):
    return parse_cached(V.encode(text, enc), name)


def _findings(report, code: str) -> list:
    return [f for f in report.findings if f.code == code]


# ------------------------------------------------------------------------------------------------
# Seed 003: rows that lost their labels (spec §10.4)
# ------------------------------------------------------------------------------------------------


def test_lost_label_surplus_nonzero_is_reported(parse_cached):
    v = V.make_variant("003", name="surplus", surplus={"denied_process_info": "5"})
    report = _parse(parse_cached, v.text, "003-surplus-5")
    hits = _findings(report, "surplus_value_nonzero")
    assert [f.row for f in hits] == ["denied_process_info"]
    assert hits[0].severity == "warning"
    problems = V.cell_mismatches(report, v.expected)
    assert not problems, "\n".join(problems[:40])
    assert report.cell("applications", "denied_process_info", "natural_person").label_inferred


def _drop_block(text: str, start: int) -> str:
    """Remove the blank-line separated block of lines that contains position `start`."""
    a = text.rindex("\n\n", 0, start) + 1
    b = text.index("\n\n", start) + 1
    return text[:a] + text[b:]


def test_lost_label_group_with_a_row_missing_is_not_guessed(parse_cached):
    v = V.make_variant("003")
    text = _drop_block(v.text, v.spans[("applications", "denied_internal_affairs", "natural_person")][0])
    report = _parse(parse_cached, text, "003-denied-7-rows")
    placed = {c.row for c in report.cells if c.table == "applications"}
    assert not placed & set(V.DENIED_ROWS), sorted(placed & set(V.DENIED_ROWS))
    hits = _findings(report, "cells_unplaced")
    assert hits and all(f.severity == "error" for f in hits)
    rest = {k: x for k, x in v.expected.items() if k[1] not in V.DENIED_ROWS}
    problems = V.cell_mismatches(report, rest)
    assert not [p for p in problems if not p.startswith("unexpected")], "\n".join(problems[:40])
    assert report.cell("applications", "unable_no_info", "natural_person").label_inferred


def test_lost_label_rows_take_the_last_seven_cells(parse_cached):
    v = V.make_variant("003")
    report = _parse(parse_cached, v.text, "003-distinct")
    for row in V.LOST_LABEL_ROWS["003"]:
        got = [report.cell("applications", row, c).value for c in V.APP_COLUMNS]
        assert got == [v.expected[("applications", row, c)] for c in V.APP_COLUMNS], row
