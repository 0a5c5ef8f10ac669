"""Turning value tokens into cells (pipeline/place.py): signed, negative, decimal, money and blank cells, and absurd
numbers (a finding, never a crash)."""

from __future__ import annotations

import json

import pytest

from pipeline import parse_bytes
from tests.support import variants as V


def _cells(report) -> dict:
    return {(c.table, c.row, c.column): c for c in report.cells}


def _findings(report, code: str) -> list:
    return [f for f in report.findings if f.code == code]


# ------------------------------------------------------------------------------------------------
# Absurd numbers (issue 14): a finding, never a crash
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("digits", [16, 309, 400, 5000])
def test_an_implausible_value_is_a_finding_not_a_crash(digits):
    text = V.seed_text("000")
    huge = "9" * digits
    data = text.replace("一、本年新收政府信息公开申请数量  | 0", f"一、本年新收政府信息公开申请数量  | {huge}", 1)
    report = parse_bytes(data.encode(), "000.txt")
    assert ("applications", "new_received", "natural_person") not in _cells(report)
    [finding] = _findings(report, "implausible_value")
    assert finding.row == "new_received" and f"{digits} digits" in finding.message
    json.dumps(report.to_dict())  # the contract serialises (no 5000-digit integer, no float overflow)


def test_fifteen_digits_are_still_a_value():
    text = V.seed_text("000").replace("行政许可  | 0", "行政许可  | 999999999999999", 1)
    report = parse_bytes(text.encode(), "000.txt")
    assert _cells(report)[("art20_5", "licensing", "prev_year_items")].value == 999_999_999_999_999


# ------------------------------------------------------------------------------------------------
# Specific cell kinds
# ------------------------------------------------------------------------------------------------


def _parse(parse_cached, text: str, name: str, enc: str = "utf-8"):
    return parse_cached(V.encode(text, enc), name)


def _replace_cell(variant: V.Variant, key: V.Key, new: str) -> str:
    start, end = variant.spans[key]
    return variant.text[:start] + new + variant.text[end:]


@pytest.mark.parametrize("seed", ["000", "004"])
def test_signed_items_change_values(seed, parse_cached):
    v = V.make_variant(seed, name="signed", signed=True)
    report = _parse(parse_cached, v.text, f"{seed}-signed")
    for table, row in (("art20_5", "licensing"), ("art20_5", "other_admin_services"), ("art20_6", "coercion")):
        key = (table, row, "items_change")
        assert v.raws[key][0] in "+-"
        assert report.cell(*key).value == v.expected[key], key
    assert report.cell("art20_6", "coercion", "items_change").value < 0
    assert not _findings(report, "negative_value")


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
@pytest.mark.parametrize(
    ("key", "text"),
    [
        (("applications", "granted", "natural_person"), "-{v}"),
        (("review_litigation", "cases", "review_upheld"), "-{v}"),
    ],
    ids=["applications", "review"],
)
def test_negative_number_outside_items_change_is_an_error(seed, key, text, parse_cached):
    v = V.make_variant(seed)
    new_text = _replace_cell(v, key, text.format(v=v.expected[key]))
    report = _parse(parse_cached, new_text, f"{seed}-negative-{key[0]}")
    hits = [f for f in _findings(report, "negative_value") if (f.table, f.row, f.column) == key]
    assert hits, [(f.code, f.table, f.row, f.column) for f in report.findings]
    assert hits[0].severity == "error"
    other = [k for k in v.expected if k != key]
    problems = V.cell_mismatches(report, {k: v.expected[k] for k in other})
    assert not [p for p in problems if not p.startswith("unexpected")], problems[:20]


@pytest.mark.parametrize("seed", ["000", "001", "002", "003", "004"])
def test_decimal_in_a_count_column_is_an_error(seed, parse_cached):
    v = V.make_variant(seed)
    key = ("applications", "partially_granted", "commercial_enterprise")
    report = _parse(parse_cached, _replace_cell(v, key, "12.5"), f"{seed}-decimal-count")
    hits = [f for f in _findings(report, "decimal_in_count") if (f.table, f.row, f.column) == key]
    assert hits and hits[0].severity == "error", [(f.code, f.row, f.column) for f in report.findings]
    for k in (("applications", "partially_granted", "natural_person"), ("applications", "granted", "total")):
        assert report.cell(*k).value == v.expected[k]


def test_procurement_amount_without_unit_is_flagged(parse_cached):
    key = ("art20_9", "central_procurement", "procurement_amount")
    v = V.make_variant("000", money={key: ("2500.5", 2500.5, None)})
    report = _parse(parse_cached, v.text, "000-amount-no-unit")
    cell = report.cell(*key)
    assert cell.value == pytest.approx(2500.5) and cell.unit is None
    hits = [f for f in _findings(report, "money_unit_missing") if (f.table, f.row, f.column) == key]
    assert hits and hits[0].severity == "info"
    # with the unit written there is no such finding
    report = _parse(parse_cached, V.make_variant("000").text, "000-distinct")
    assert not _findings(report, "money_unit_missing")


@pytest.mark.parametrize("seed", ["001", "002", "003"])
def test_fee_written_in_yuan_is_converted_to_wan_yuan(seed, parse_cached):
    key = ("art20_8", "admin_fees", "fee_amount_wan_yuan")
    v = V.make_variant(seed, name="fee-yuan", money={key: ("95100元", 9.51, "元")})
    report = _parse(parse_cached, v.text, f"{seed}-fee-yuan")
    cell = report.cell(*key)
    assert cell.value == pytest.approx(9.51)
    assert cell.unit == "元"
    assert cell.raw.strip() == "95100元"


@pytest.mark.parametrize("seed", V.SEEDS)
def test_a_single_dash_cell_is_none_not_zero(seed, parse_cached):
    key = ("applications", "granted", "research_institution")
    v = V.make_variant(seed, name="blank-dash", blanks=(key,), blank_token="-")
    report = _parse(parse_cached, v.text, f"{seed}-one-dash")
    cell = report.cell(*key)
    assert cell is not None, "a blank cell is still emitted, with value None"
    assert cell.value is None, cell.value
    for col in ("commercial_enterprise", "social_welfare_org", "total"):
        assert report.cell("applications", "granted", col).value == v.expected[("applications", "granted", col)]
