"""Identities A1–A3 and R1–R3 (spec §7): a deliberately wrong printed number gives exactly the
expected identity findings, with the right left and right sides, and the number is kept as printed."""

from __future__ import annotations

import pytest

from pipeline import parse_bytes
from tests.support import variants as V

IDENTITY_CODES = {f"identity_{i}_failed" for i in ("A1", "A2", "A3", "R1", "R2", "R3")}
R_TOTALS = {f"identity_{i}_failed": total for i, (total, _) in V.REVIEW_BLOCKS.items()}

TAMPERS = {
    # (七)总计 / 自然人 one too high: A1 and A2 of that column, A3 of the total row
    "total-natural_person+1": {("applications", "total", "natural_person"): 1},
    # the 总计 column of row (一)予以公开: A3 of that row, A2 of the total column
    "granted-total+7": {("applications", "granted", "total"): 7},
    # a leaf: A2 of its column and A3 of its row
    "partially_granted-other_org-4": {("applications", "partially_granted", "other_org"): -4},
    # 结转下年度 / 商业企业: A1 of that column, A3 of that row
    "carried_forward-commercial+2": {("applications", "carried_forward", "commercial_enterprise"): 2},
    "review_total+3": {("review_litigation", "cases", "review_total"): 3},
    "litigation_direct_upheld+2": {("review_litigation", "cases", "litigation_direct_upheld"): 2},
    "litigation_after_review_total-1": {("review_litigation", "cases", "litigation_after_review_total"): -1},
}
EXPECTED_CODES = {
    "total-natural_person+1": {
        ("identity_A1_failed", "natural_person"),
        ("identity_A2_failed", "natural_person"),
        ("identity_A3_failed", "total"),
    },
    "granted-total+7": {("identity_A3_failed", "granted"), ("identity_A2_failed", "total")},
    "partially_granted-other_org-4": {("identity_A2_failed", "other_org"), ("identity_A3_failed", "partially_granted")},
    "carried_forward-commercial+2": {
        ("identity_A1_failed", "commercial_enterprise"),
        ("identity_A3_failed", "carried_forward"),
    },
    "review_total+3": {("identity_R1_failed", "review_total")},
    "litigation_direct_upheld+2": {("identity_R2_failed", "litigation_direct_total")},
    "litigation_after_review_total-1": {("identity_R3_failed", "litigation_after_review_total")},
}

CASES = [(seed, t) for seed in V.SEEDS for t in TAMPERS]


def _target(f) -> str | None:
    """What an identity finding is about: the column (A1, A2), the row (A3), the total column (R*)."""
    if f.code in ("identity_A1_failed", "identity_A2_failed"):
        return f.column
    if f.code == "identity_A3_failed":
        return f.row
    return R_TOTALS.get(f.code)


@pytest.fixture(params=CASES, ids=[f"{s}-{t}" for s, t in CASES])
def tampered(request, parse_cached):
    seed, name = request.param
    v = V.make_variant(seed, name=name, tamper=TAMPERS[name])
    return seed, name, v, parse_cached(v.text.encode("utf-8"), f"{seed}-{name}.txt")


def test_ground_truth_of_the_tamper_itself(tampered):
    # guards the test data: the generator's own identity evaluation agrees with EXPECTED_CODES
    _, name, v, _ = tampered
    assert {(f.code, f.target) for f in V.identity_failures(v.expected, v.apps)} == EXPECTED_CODES[name]


def test_exactly_the_expected_identity_findings(tampered):
    _, name, _, report = tampered
    got = sorted((f.code, _target(f)) for f in report.findings if f.code in IDENTITY_CODES)
    assert got == sorted(EXPECTED_CODES[name])


def test_identity_findings_left_right_cells_and_severity(tampered):
    _, _, v, report = tampered
    want = {(f.code, f.target): f for f in V.identity_failures(v.expected, v.apps)}
    (tampered_key,) = TAMPERS[tampered[1]]
    for f in report.findings:
        if f.code not in IDENTITY_CODES:
            continue
        exp = want.get((f.code, _target(f)))
        assert exp is not None, (f.code, f.table, f.row, f.column)
        assert f.severity == "warning"
        assert f.table == ("review_litigation" if f.code in R_TOTALS else "applications")
        assert (f.left, f.right) == (exp.left, exp.right), f"{f.code} {_target(f)}: left/right"
        cells = {tuple(c) for c in (f.cells or [])}
        assert tampered_key in cells, f"{f.code}: cells {sorted(cells)} lack the wrong cell"
        assert cells <= exp.cells, f"{f.code}: cells outside the identity: {sorted(cells - exp.cells)}"
        assert f.message


def test_printed_numbers_are_not_changed(tampered):
    _, _, v, report = tampered
    problems = V.cell_mismatches(report, v.expected)
    assert not problems, "\n".join(problems[:40])


def test_failed_checks_match_the_findings(tampered):
    _, name, v, report = tampered
    failed = {(c.identity, c.target) for c in report.checks if c.status == "fail"}
    assert failed == {(code.split("_")[1], target) for code, target in EXPECTED_CODES[name]}
    want = {(f.code.split("_")[1], f.target): f for f in V.identity_failures(v.expected, v.apps)}
    for c in report.checks:
        if c.status == "fail":
            assert (c.left, c.right) == (want[(c.identity, c.target)].left, want[(c.identity, c.target)].right)


def test_blank_total_is_not_evaluable_and_not_a_failure(parse_cached):
    # spec §7.6: a null target makes the check not_evaluable; null operands count as 0
    leaf = ("applications", "granted", "research_institution")
    total_key = ("applications", "granted", "total")
    v = V.make_variant("001", name="blank-leaf", blanks=(leaf,), blank_token="-")
    text = v.text[: v.spans[total_key][0]] + "-" + v.text[v.spans[total_key][1] :]
    expected = v.expected | {total_key: None}
    report = parse_cached(text.encode("utf-8"), "001-blank-total.txt")
    problems = V.cell_mismatches(report, expected)
    assert not problems, "\n".join(problems[:40])
    # granted's row total is null: A3(granted) is not evaluable; read as 0 inside A2(total) it fails there
    want = {(f.code, f.target) for f in V.identity_failures(expected, "2021")}
    assert want == {("identity_A2_failed", "total")}
    got = {(f.code, _target(f)) for f in report.findings if f.code in IDENTITY_CODES}
    assert got == want
    a3 = [c.status for c in report.checks if c.identity == "A3" and c.target == "granted"]
    assert a3 == ["not_evaluable"]
    a2 = [(c.status, c.had_nulls) for c in report.checks if c.identity == "A2" and c.target == "research_institution"]
    assert a2 == [("pass", True)]


# ------------------------------------------------------------------------------------------------
# A zero lost to a printed blank in an identity row (issue 14)
# ------------------------------------------------------------------------------------------------


def _cells(report) -> dict:
    return {(c.table, c.row, c.column): c for c in report.cells}


def _findings(report, code: str) -> list:
    return [f for f in report.findings if f.code == code]


@pytest.mark.parametrize("blank", ["-", "", "无"])
def test_a_zero_lost_to_a_blank_in_an_identity_row_is_reported(blank):
    text = V.seed_text("000")
    line = next(x for x in text.splitlines() if x.startswith("一、本年新收"))
    cells = line.split("|")
    cells[2] = cells[2].replace("0", blank)
    report = parse_bytes(text.replace(line, "|".join(cells)).encode(), "000.txt")
    assert _cells(report)[("applications", "new_received", "commercial_enterprise")].value is None
    [finding] = _findings(report, "blank_cells")
    assert finding.row == "new_received" and finding.cells == [["applications", "new_received",
                                                                "commercial_enterprise"]]
    assert "A1 holds only if it is 0" in finding.message and "A3 holds only if it is 0" in finding.message
