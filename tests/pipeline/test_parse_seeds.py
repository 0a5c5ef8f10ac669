"""The five seed reports, each in every supported encoding: every cell, the metadata, the findings."""

from __future__ import annotations

import hashlib
import json

import pytest

from pipeline import ParseError, Report, parse_bytes, parse_file
from tests.support import variants as V

CASES = [(s, e) for s in V.SEEDS for e in V.ENCODINGS] + [
    (s, e) for s in V.SEEDS for e in V.GBK_FAMILY if V.encodable(V.seed_text(s), e)
]
CASE_IDS = [f"{s}-{e}" for s, e in CASES]
REPORTED_ENCODING = V.ENCODINGS | V.GBK_FAMILY


def _data(seed: str, enc: str) -> bytes:
    return V.encode(V.seed_text(seed), enc)


@pytest.fixture(params=CASES, ids=CASE_IDS)
def case(request, parse_cached) -> tuple[str, str, bytes, Report]:
    seed, enc = request.param
    data = _data(seed, enc)
    return seed, enc, data, parse_cached(data, f"{seed}.{enc}.txt")


def test_every_cell_value(case):
    seed, _, _, report = case
    problems = V.cell_mismatches(report, V.seed_expected(seed))
    assert not problems, f"{len(problems)} cell problems:\n" + "\n".join(problems[:60])


def test_cell_count_and_no_duplicates(case):
    seed, _, _, report = case
    keys = [(c.table, c.row, c.column) for c in report.cells]
    assert len(keys) == len(set(keys)), "duplicate (table,row,column)"
    assert len(keys) == V.CELL_COUNT[V.SEED_PLAN[seed]]


def test_metadata(case):
    seed, enc, data, report = case
    meta = V.SEED_META[seed]
    assert report.template == meta["template"]
    assert report.organization == meta["organization"]
    assert report.report_year == meta["report_year"]
    assert report.published_on == meta["published_on"]
    assert report.sha256 == hashlib.sha256(data).hexdigest()
    assert report.file == f"{seed}.{enc}.txt"
    assert report.input_format == "text"


def test_encoding_reported(case):
    _, enc, _, report = case
    assert report.encoding == REPORTED_ENCODING[enc]
    assert 0.0 <= report.encoding_confidence <= 1.0


def test_table_templates(case):
    seed, _, _, report = case
    tpl = V.SEED_PLAN[seed]
    tables = [t for t, _, _ in V.SEC2[tpl]] + ["applications"]
    for table in tables:
        assert report.table_templates.get(table) == tpl, f"table_templates[{table}]"
    if tpl == "2021":
        assert "art20_9" not in {c.table for c in report.cells}


def test_value_types_units_and_raw(case):
    seed, _, _, report = case
    layout = V.seed_layout(seed)
    for c in report.cells:
        key = (c.table, c.row, c.column)
        if c.column in V.MONEY_COLUMNS:
            assert isinstance(c.value, int | float) and not isinstance(c.value, bool), key
        else:
            assert type(c.value) is int, f"{V.fmt_key(key)}: count must be int, got {c.value!r}"
        assert "\ufffd" not in c.raw
        assert c.raw.strip() == layout[key][0], f"{V.fmt_key(key)} raw"
        want_unit = "元" if (seed, c.column) == ("000", "procurement_amount") else None
        assert c.unit == want_unit, f"{V.fmt_key(key)} unit"


def test_cells_point_at_their_source_line(case):
    seed, _, _, report = case
    layout = V.seed_layout(seed)
    wrong = [
        f"{V.fmt_key((c.table, c.row, c.column))}: line {c.line}, expected {layout[(c.table, c.row, c.column)][1]}"
        for c in report.cells
        if c.line != layout[(c.table, c.row, c.column)][1]
    ]
    assert not wrong, "\n".join(wrong[:30])


def test_label_inferred_flags(case):
    seed, _, _, report = case
    lost = set(V.LOST_LABEL_ROWS.get(seed, ()))
    wrong = [
        f"{c.row}/{c.column}: label_inferred={c.label_inferred}"
        for c in report.cells
        if c.label_inferred != (c.table == "applications" and c.row in lost)
    ]
    assert not wrong, "\n".join(wrong[:30])
    codes = [f.code for f in report.findings if f.severity == "info"]
    assert ("label_inferred" in codes) == bool(lost)


def test_no_errors_and_no_identity_failures(case):
    _, _, _, report = case
    bad = [
        f"{f.severity} {f.code} {f.table}/{f.row}/{f.column}: {f.message}"
        for f in report.findings
        if f.severity == "error" or f.code.startswith("identity_")
    ]
    assert not bad, "\n".join(bad)
    assert all(f.severity in ("error", "warning", "info") for f in report.findings)


def test_identity_checks_all_pass(case):
    seed, _, _, report = case
    tpl = V.SEED_PLAN[seed]
    failed = [(c.identity, c.target, c.status) for c in report.checks if c.status == "fail"]
    assert not failed
    by_identity: dict[str, set[str]] = {}
    for c in report.checks:
        by_identity.setdefault(c.identity, set()).add(c.target)
    assert by_identity.get("A1") == set(V.APP_COLUMNS)
    assert by_identity.get("A2") == set(V.APP_COLUMNS)
    assert by_identity.get("A3") == set(V.APP_ROWS[tpl])
    for ident in ("R1", "R2", "R3"):
        assert ident in by_identity


def test_to_dict_is_the_json_contract(case):
    seed, _, _, report = case
    d = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    for k in ("file", "sha256", "encoding", "template", "report_year", "organization", "published_on"):
        assert k in d
    assert d["template"] == V.SEED_META[seed]["template"]
    assert len(d["cells"]) == V.CELL_COUNT[V.SEED_PLAN[seed]]
    for cell in d["cells"]:
        assert {"table", "row", "column", "value", "raw", "unit", "label_inferred"} <= cell.keys()
    for f in d["findings"]:
        assert {"severity", "code", "message", "table", "row", "column"} <= f.keys()
    amount = [c for c in d["cells"] if c["column"] == "procurement_amount"]
    if seed == "000":
        assert amount[0]["value"] == pytest.approx(1596496.16)
        assert amount[0]["unit"] == "元"
        assert amount[0]["raw"].strip() == "1596496.16元"


def test_report_cell_lookup(parse_cached):
    report = parse_cached(_data("002", "utf-8"), "002.utf-8.txt")
    cell = report.cell("art20_8", "admin_fees", "fee_amount_wan_yuan")
    assert cell is not None and cell.value == pytest.approx(194.3525)
    assert report.cell("art20_6", "penalty", "decisions").value == 13
    assert report.cell("art20_9", "central_procurement", "procurement_amount") is None
    assert report.cell("applications", "other_processing", "total") is None  # 2019-only row


@pytest.mark.parametrize("seed", V.SEEDS)
def test_parse_file_matches_parse_bytes(seed):
    path = V.SEED_DIR / V.SEED_FILES[seed]
    report = parse_file(path)
    assert report.file == str(path)
    assert report.encoding == "utf-8"
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    problems = V.cell_mismatches(report, V.seed_expected(seed))
    assert not problems, "\n".join(problems[:60])


@pytest.mark.parametrize("seed", V.SEEDS)
def test_crlf_line_endings(seed, parse_cached):
    text = V.seed_text(seed).replace("\n", "\r\n")
    report = parse_cached(text.encode("utf-8"), f"{seed}-crlf.txt")
    assert report.template == V.SEED_META[seed]["template"]
    assert report.organization == V.SEED_META[seed]["organization"]
    problems = V.cell_mismatches(report, V.seed_expected(seed))
    assert not problems, "\n".join(problems[:60])
    layout = V.seed_layout(seed)
    assert all(c.line == layout[(c.table, c.row, c.column)][1] for c in report.cells)


def test_parse_error_is_an_exception_with_code():
    with pytest.raises(ParseError) as err:
        parse_bytes(b"", file="empty.txt")
    assert err.value.code == "empty_file"
    assert isinstance(err.value.message, str) and err.value.message


def test_parse_is_deterministic_and_names_bytes_by_default():
    data = _data("003", "gb18030")
    first, second = parse_bytes(data), parse_bytes(data)
    assert first.file == "<bytes>"
    assert json.dumps(first.to_dict(), sort_keys=True) == json.dumps(second.to_dict(), sort_keys=True)
