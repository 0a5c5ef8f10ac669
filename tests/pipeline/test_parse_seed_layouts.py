"""Seed-layout variants with known, distinct, non-zero numbers through the whole parser: every cell must land in
its own row and column, in every encoding; rows that are extra or absent. (The value rules are in test_place.py, the
lost-label rows of seed 003 in test_applications.py.)"""

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



def _parse(parse_cached, text: str, name: str, enc: str = "utf-8"):
    return parse_cached(V.encode(text, enc), name)


def _findings(report, code: str) -> list:
    return [f for f in report.findings if f.code == code]



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
