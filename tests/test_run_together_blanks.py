"""Run-together rows holding a printed blank (`无`, `-`): found by the 100,000-report benchmark (issue 7).

Two generated reports (`benchmarks/make_corpus.py`, seed 0, reports 25701 and 73290) had cells placed
with wrong values: a `无` glued between the label and the digits was read as part of the label, and a row
whose only A3-consistent split holds a blank was taken as a fallback although the blank may hide any
value (here it hides 9: the printed row breaks A3). The first row is now read right, the second is left
out with a finding.
"""

from __future__ import annotations

from pathlib import Path

from pipeline import parse_file
from pipeline.runtogether.pieces import cut_runs

FIXTURES = Path(__file__).parent / "fixtures" / "run_together"

# The truth of the two rows, from the corpus's truth.jsonl (None: a printed blank).
NEW_RECEIVED = {"natural_person": None, "commercial_enterprise": 57, "research_institution": 92,
                "social_welfare_org": 153, "legal_service_org": 0, "other_org": 0, "total": 302}
TOTAL = {"natural_person": 1216, "commercial_enterprise": 6, "research_institution": 0, "social_welfare_org": 352,
         "legal_service_org": 322, "other_org": None, "total": 1905}


def test_wu_before_digits_is_a_blank_cell_of_the_run():
    pieces = cut_runs("一、本年新收政府信息公开申请数量无579215300302")
    assert [(p.kind, p.text) for p in pieces] == [
        ("label", "一、本年新收政府信息公开申请数量"), ("run", "无579215300302")]


def test_wu_starting_a_label_stays_in_the_label():
    pieces = cut_runs("00357000357 4.无正当理由大量反复申请")
    assert [(p.kind, p.text) for p in pieces][-1] == ("label", "4.无正当理由大量反复申请")
    pieces = cut_runs("0000000无4.无正当理由大量反复申请")  # the row's last cell blank, then the next label
    assert [(p.kind, p.text) for p in pieces] == [("run", "0000000无"), ("label", "4.无正当理由大量反复申请")]


def _row(report, row):
    return {c.column: c.value for c in report.cells if c.table == "applications" and c.row == row}


def test_a_glued_blank_is_read_as_the_rows_blank_first_cell():
    report = parse_file(FIXTURES / "blank_glued_to_label.txt")
    assert _row(report, "new_received") == NEW_RECEIVED  # was (5, 79, 215, 3, 0, 0, 302)


def test_a_blank_that_hides_a_value_makes_no_fallback():
    report = parse_file(FIXTURES / "blank_hides_a3.txt")
    assert _row(report, "total") == {}
    finding = next(f for f in report.findings if f.row == "total" and f.code == "split_ambiguous")
    assert "run '121660352322-1905' has 1 split" in finding.message and "blank cell" in finding.message
    # the other rows of the table keep their fallback reading, each with its warning
    assert _row(report, "new_received")["total"] == 905
    assert any(f.code == "split_fallback" and f.row == "new_received" for f in report.findings)
