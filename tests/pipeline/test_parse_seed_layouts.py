"""Seed-layout variants with known, distinct, non-zero numbers: every cell must land in its own row
and column. Also signed, decimal and blank cells, the lost-label rows of seed 003, and a hybrid."""

from __future__ import annotations

import pytest

from tests.support import variants as V

CATALOGUE = V.variant_catalogue()
VARIANTS = {f"{v.seed}-{v.name}": v for v in CATALOGUE}
VARIANT_ENCODINGS = ("utf-8", "gb18030")
CASES = [(vid, enc) for vid in VARIANTS for enc in VARIANT_ENCODINGS]
# The plain variants also go through the remaining encodings and CRLF line endings.
CASES += [
    (vid, enc)
    for vid, v in VARIANTS.items()
    if v.name == "distinct"
    for enc in ("utf-8-sig", "utf-16", "utf-16-be-bom", "utf-8-crlf")
]


def _encode(text: str, enc: str) -> bytes:
    if enc == "utf-8-crlf":
        return text.replace("\n", "\r\n").encode("utf-8")
    return V.encode(text, enc)


@pytest.fixture(params=CASES, ids=[f"{vid}-{enc}" for vid, enc in CASES])
def parsed(request, parse_cached):
    vid, enc = request.param
    variant = VARIANTS[vid]
    return variant, parse_cached(_encode(variant.text, enc), f"{vid}.{enc}.txt")


def test_every_cell_lands_in_its_row_and_column(parsed):
    variant, report = parsed
    problems = V.cell_mismatches(report, variant.expected)
    assert not problems, f"{len(problems)} cell problems:\n" + "\n".join(problems[:60])


def test_template(parsed):
    variant, report = parsed
    assert report.template == variant.template
    for table, _, _ in V.SEC2[variant.sec2]:
        assert report.table_templates.get(table) == variant.sec2, table
    assert report.table_templates.get("applications") == variant.apps
    assert report.organization == V.SEED_META[variant.seed]["organization"]


def test_raw_line_and_unit(parsed):
    variant, report = parsed
    problems = []
    for c in report.cells:
        key = (c.table, c.row, c.column)
        if key not in variant.expected:
            continue
        if c.raw.strip() != variant.raws[key]:
            problems.append(f"{'/'.join(key)}: raw {c.raw!r}, expected {variant.raws[key]!r}")
        if c.line != variant.line_of(key):
            problems.append(f"{'/'.join(key)}: line {c.line}, expected {variant.line_of(key)}")
        if key in variant.units and c.unit != variant.units[key]:
            problems.append(f"{'/'.join(key)}: unit {c.unit!r}, expected {variant.units[key]!r}")
        elif key not in variant.units and c.unit is not None:
            problems.append(f"{'/'.join(key)}: unit {c.unit!r}, expected None")
    assert not problems, "\n".join(problems[:40])


def test_label_inferred(parsed):
    variant, report = parsed
    wrong = [
        f"{c.table}/{c.row}/{c.column}: label_inferred={c.label_inferred}"
        for c in report.cells
        if c.label_inferred != ((c.table, c.row) in variant.label_inferred)
    ]
    assert not wrong, "\n".join(wrong[:30])


def test_no_errors_no_identity_failures(parsed):
    _, report = parsed
    bad = [
        f"{f.severity} {f.code} {f.table}/{f.row}/{f.column}: {f.message}"
        for f in report.findings
        if f.severity == "error" or f.code.startswith("identity_")
    ]
    assert not bad, "\n".join(bad)
    assert not [c for c in report.checks if c.status == "fail"]


# ------------------------------------------------------------------------------------------------
# Specific cell kinds
# ------------------------------------------------------------------------------------------------


def _parse(parse_cached, text: str, name: str, enc: str = "utf-8"):
    return parse_cached(V.encode(text, enc), name)


def _findings(report, code: str) -> list:
    return [f for f in report.findings if f.code == code]


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


# ------------------------------------------------------------------------------------------------
# Rows that are extra or absent (spec §10.2, §14)
# ------------------------------------------------------------------------------------------------


def _line_bounds(text: str, pos: int) -> tuple[int, int]:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return a, (len(text) if b < 0 else b + 1)


@pytest.mark.parametrize("seed", ["000", "001", "002"])
def test_extra_row_in_art20_1_is_not_merged_into_a_canonical_row(seed, parse_cached):
    v = V.make_variant(seed)
    sep = {"000": "  | ", "001": " | ", "002": "\t"}[seed]
    _, end = _line_bounds(v.text, v.spans[("art20_1", "normative_documents", _last_col(v))][0])
    extra = sep.join(["其他主动公开文件(含以本单位或本单位办公室名义正式签发的文件)", "5", "6", "7"]) + "\n"
    report = _parse(parse_cached, v.text[:end] + extra + v.text[end:], f"{seed}-extra-row")
    problems = V.cell_mismatches(report, v.expected)
    assert not problems, "\n".join(problems[:40])


def _cols(v: V.Variant, table: str) -> tuple[str, ...]:
    return next(cols for t, _, cols in V.SEC2[v.sec2] if t == table)


def _last_col(v: V.Variant) -> str:
    return _cols(v, "art20_1")[-1]


@pytest.mark.parametrize("seed", V.SEEDS)
def test_absent_row_emits_no_cells_and_a_finding(seed, parse_cached):
    v = V.make_variant(seed)
    first = v.spans[("art20_1", "regulations", next(iter(_cols(v, "art20_1"))))][0]
    a, _ = _line_bounds(v.text, v.text.rindex("规章", 0, first))
    _, b = _line_bounds(v.text, v.spans[("art20_1", "regulations", _last_col(v))][0])
    report = _parse(parse_cached, v.text[:a] + v.text[b:], f"{seed}-no-regulations-row")
    expected = {k: x for k, x in v.expected.items() if k[:2] != ("art20_1", "regulations")}
    problems = V.cell_mismatches(report, expected)
    assert not problems, "\n".join(problems[:40])
    hits = [f for f in _findings(report, "row_missing") if (f.table, f.row) == ("art20_1", "regulations")]
    assert hits, [(f.code, f.table, f.row) for f in report.findings]


@pytest.mark.parametrize("seed", V.SEEDS)
@pytest.mark.parametrize(
    "page", ["- 2 -", "— 2 —", "第2页", "第 2 页 共 5 页"], ids=["dash", "emdash", "page", "page-of"]
)
def test_page_number_line_inside_a_table_is_ignored(seed, page, parse_cached):
    v = V.make_variant(seed)
    _, end = _line_bounds(v.text, v.spans[("applications", "denied_admin_query", "total")][0])
    report = _parse(parse_cached, v.text[:end] + page + "\n" + v.text[end:], f"{seed}-page-{page}")
    problems = V.cell_mismatches(report, v.expected)
    assert not problems, "\n".join(problems[:40])
