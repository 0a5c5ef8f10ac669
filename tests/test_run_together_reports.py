"""Whole crawled reports whose cells ran together (issue 8), through parse_bytes: every cell placed is
right, the identity-constrained tables are decided, and what no identity decides is reported, not guessed."""

from __future__ import annotations

import random

import pytest

from pipeline import parse_bytes
from pipeline.synth import RUN_TOGETHER, SynthReport, document, make_values, render


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("seed", range(6))
def test_crawled_report(template, seed):
    rng = random.Random(f"{template}-{seed}")
    r = SynthReport("x.txt", template, RUN_TOGETHER, "utf-8", "克井镇", 2022, None, make_values(template, rng))
    report = parse_bytes(render(document(r, rng), RUN_TOGETHER).encode("gb18030"), "x.txt")
    assert report.layout == "run_together"
    assert report.template == template
    got = {(c.table, c.row, c.column): c for c in report.cells}
    for key, cell in got.items():
        assert cell.value == r.values[key], key  # never a wrong number
        assert cell.provenance == "split_by_identity"
    for key in r.values:
        if key[0] in ("applications", "review_litigation"):
            assert key in got, key  # A1–A3 and R1–R3 decide these tables
    ambiguous = {(f.table, f.row) for f in report.findings if f.code == "split_ambiguous"}
    for key in r.values:
        if key[0].startswith("art20") and key not in got:
            assert (key[0], key[1]) in ambiguous, key  # left out only with a finding that lists candidates


def test_the_issue_examples():
    """`行政许可396442278` has many splits and no identity: reported with 396|442|278 among the candidates;
    `一、本年新收…120000012` is decided by A3 (and the table) as 12,0,0,0,0,0,12."""
    rng = random.Random(1)
    values = make_values("2019", rng)
    r = SynthReport("x.txt", "2019", RUN_TOGETHER, "utf-8", "克井镇", 2020, None, values)
    lines = render(document(r, rng), RUN_TOGETHER).splitlines()
    lines = ["行政许可396442278" if line.startswith("行政许可") else line for line in lines]
    report = parse_bytes("\n".join(lines).encode(), "x.txt")
    ambiguous = next(f for f in report.findings if f.code == "split_ambiguous" and f.row == "licensing")
    assert "396" in ambiguous.message and "442" in ambiguous.message
    assert report.cell("art20_5", "licensing", "decisions") is None

    values[("applications", "new_received", "natural_person")] = 12
    for col in ("commercial_enterprise", "research_institution", "social_welfare_org", "legal_service_org",
                "other_org"):
        values[("applications", "new_received", col)] = 0
    values[("applications", "new_received", "total")] = 12
    lines = render(document(r, rng), RUN_TOGETHER).splitlines()
    assert "一、本年新收政府信息公开申请数量120000012" in lines
    report = parse_bytes("\n".join(lines).encode(), "x.txt")
    assert [report.cell("applications", "new_received", c).value for c in (
        "natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total")] == [12, 0, 0, 0, 0, 0, 12]
