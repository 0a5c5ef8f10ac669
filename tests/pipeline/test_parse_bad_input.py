"""Inputs that are not (complete) reports: each gives its specific ParseError or finding."""

from __future__ import annotations

import random
import re

import pytest

from pipeline import ParseError, parse_bytes, parse_file
from tests.support import FIXTURES
from tests.support import variants as V

BAD = V.FIXTURES / "bad"


def _parse_error(data: bytes, tmp_path) -> ParseError:
    """The ParseError of `data`, checked to be the same through parse_bytes and parse_file."""
    with pytest.raises(ParseError) as from_bytes:
        parse_bytes(data, file="bad.txt")
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(ParseError) as from_file:
        parse_file(path)
    assert from_file.value.code == from_bytes.value.code
    err = from_bytes.value
    assert isinstance(err.message, str) and err.message.strip()
    assert "\n" not in err.message.strip(), "the reason is one line"
    return err


# ------------------------------------------------------------------------------------------------
# Files that are not usable reports
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b" ", b"   \n\t\r\n  \n", "\u3000\n\u3000".encode(), "\ufeff  \n".encode(), "  \n".encode("utf-16")],
    ids=["zero-bytes", "one-space", "ascii-whitespace", "ideographic-space", "bom-and-spaces", "utf16-spaces"],
)
def test_empty_or_whitespace_only(data, tmp_path):
    assert _parse_error(data, tmp_path).code == "empty_file"


def _random(seed: int, n: int = 4096) -> bytes:
    return random.Random(seed).randbytes(n)


@pytest.mark.parametrize(
    "data",
    [
        _random(1234),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + _random(7, 2000),
        b"PK\x03\x04\x14\x00\x06\x00" + _random(8, 2000),
        V.seed_text("001").encode("utf-8").replace(b"\n", b"\n\x00", 3),
    ],
    ids=["random", "png", "zip", "text-with-nul-bytes"],
)
def test_binary_bytes(data, tmp_path):
    assert _parse_error(data, tmp_path).code == "binary_file"


def test_random_bytes_without_nul(tmp_path):
    data = bytes(b for b in _random(99) if b)
    assert _parse_error(data, tmp_path).code in ("binary_file", "undecodable")


@pytest.mark.parametrize(
    ("name", "enc"),
    [("news_zh.txt", "utf-8"), ("news_zh.txt", "gb18030"), ("news_zh.txt", "utf-16"), ("notes_en.txt", "utf-8")],
)
def test_text_that_is_not_a_report(name, enc, tmp_path):
    data = (BAD / name).read_text(encoding="utf-8").encode(enc)
    assert _parse_error(data, tmp_path).code == "not_a_report"


# ------------------------------------------------------------------------------------------------
# Undecodable or mislabelled bytes: a clean decode or `undecodable`, never silent mangling
# ------------------------------------------------------------------------------------------------


def _inject(data: bytes, marker: str, enc: str, junk: bytes) -> bytes:
    i = data.index(marker.encode(enc))
    return data[:i] + junk + data[i:]


GARBLED = {
    "gb18030-with-invalid-bytes": _inject(
        V.encode(V.seed_text("001"), "gb18030"), "(二)依申请", "gb18030", b"\x80\xff\x80"
    ),
    "utf8-with-invalid-bytes": _inject(V.seed_text("001").encode(), "(二)依申请", "utf-8", b"\xff\x80\xfe"),
    "utf8-bom-on-gbk-body": b"\xef\xbb\xbf" + V.encode(V.seed_text("001"), "gb18030"),
    "gbk-cut-mid-character": V.encode(V.seed_text("001"), "gb18030") + "镇".encode("gb18030")[:1],
}


@pytest.mark.parametrize("name", GARBLED)
def test_garbled_bytes_are_undecodable_or_decoded_cleanly(name):
    data = GARBLED[name]
    try:
        report = parse_bytes(data, file=f"{name}.txt")
    except ParseError as err:
        assert err.code == "undecodable", f"{err.code}: {err.message}"
        return
    # decoded: then it must be the real text, not mojibake and not U+FFFD replacements
    assert report.organization == V.SEED_META["001"]["organization"]
    assert "\ufffd" not in (report.organization or "")
    assert not [c for c in report.cells if "\ufffd" in c.raw]
    problems = V.cell_mismatches(report, V.seed_expected("001"))
    assert not problems, "\n".join(problems[:30])


# ------------------------------------------------------------------------------------------------
# Truncated reports
# ------------------------------------------------------------------------------------------------


def _line_end(text: str, pos: int) -> int:
    end = text.find("\n", pos)
    return len(text) if end < 0 else end + 1


def _findings(report, code: str) -> list:
    return [f for f in report.findings if f.code == code]


def _split(v: V.Variant, kept_rows: tuple[str, ...]) -> tuple[dict, list[str]]:
    """Expected cells when section 三 stops after `kept_rows`: (expected, missing application rows)."""
    missing_rows = [r for r in V.APP_ROWS[v.apps] if r not in kept_rows]
    expected = {
        k: x
        for k, x in v.expected.items()
        if k[0] not in ("applications", "review_litigation") or (k[0] == "applications" and k[1] in kept_rows)
    }
    return expected, missing_rows


@pytest.mark.parametrize("seed", V.SEEDS)
def test_truncated_after_a_row_of_section_three(seed, parse_cached):
    v = V.make_variant(seed)
    rows = V.APP_ROWS[v.apps]
    last = rows.index("denied_admin_query")
    text = v.text[: _line_end(v.text, v.spans[("applications", "denied_admin_query", "total")][0])]
    report = parse_cached(text.encode("utf-8"), f"{seed}-truncated.txt")
    expected, missing_rows = _split(v, rows[: last + 1])

    problems = V.cell_mismatches(report, expected)
    assert not problems, "\n".join(problems[:40])
    assert report.template == v.template
    missing_tables = {f.table for f in _findings(report, "table_missing")}
    assert missing_tables == {"review_litigation"}
    assert all(f.severity == "error" for f in _findings(report, "table_missing"))
    reported_rows = {f.row for f in _findings(report, "row_missing") if f.table == "applications"}
    assert set(missing_rows) <= reported_rows, sorted(set(missing_rows) - reported_rows)


@pytest.mark.parametrize("seed", V.SEEDS)
def test_truncated_in_the_middle_of_a_row(seed, parse_cached):
    v = V.make_variant(seed)
    rows = V.APP_ROWS[v.apps]
    cut_row = "not_processed_repeat"
    text = v.text[: v.spans[("applications", cut_row, "research_institution")][1]]
    report = parse_cached(text.encode("utf-8"), f"{seed}-truncated-mid-row.txt")
    expected, _ = _split(v, rows[: rows.index(cut_row)])

    problems = V.cell_mismatches(report, expected)
    assert not problems, "\n".join(problems[:40])
    assert not [c for c in report.cells if c.row == cut_row], "a row with 3 of 7 values emits no cells"
    hits = [f for f in _findings(report, "value_count_mismatch") if f.row == cut_row]
    assert hits and hits[0].severity == "error", [(f.code, f.row) for f in report.findings]
    assert "review_litigation" in {f.table for f in _findings(report, "table_missing")}


# ------------------------------------------------------------------------------------------------
# A table removed
# ------------------------------------------------------------------------------------------------


def _line_start(text: str, pattern: str) -> int:
    m = re.search(pattern, text)
    assert m, pattern
    return text.rfind("\n", 0, m.start()) + 1


REMOVALS = [(s, "art20_6", r"第二十条第[(（]六[)）]项", r"第二十条第[(（]八[)）]项") for s in V.SEEDS] + [
    (s, "art20_9", r"第二十条第[(（]九[)）]项", r"三、收到和处理") for s in ("000", "004")
]


@pytest.mark.parametrize(("seed", "table", "start", "stop"), REMOVALS, ids=[f"{r[0]}-{r[1]}" for r in REMOVALS])
def test_report_with_one_table_removed(seed, table, start, stop, parse_cached):
    v = V.make_variant(seed)
    a, b = _line_start(v.text, start), _line_start(v.text, stop)
    text = v.text[:a] + v.text[b:]
    report = parse_cached(text.encode("utf-8"), f"{seed}-without-{table}.txt")

    assert report.template == v.template
    expected = {k: x for k, x in v.expected.items() if k[0] != table}
    problems = V.cell_mismatches(report, expected)
    assert not problems, "\n".join(problems[:40])
    missing = _findings(report, "table_missing")
    assert [f.table for f in missing] == [table]
    assert missing[0].severity == "error"


@pytest.mark.parametrize("seed", V.SEEDS)
def test_report_without_section_four(seed, parse_cached):
    v = V.make_variant(seed)
    a = _line_start(v.text, r"四、政府信息公开行政复议")
    b = _line_start(v.text, r"五、存在的主要问题")
    report = parse_cached((v.text[:a] + v.text[b:]).encode("utf-8"), f"{seed}-without-4.txt")
    expected = {k: x for k, x in v.expected.items() if k[0] != "review_litigation"}
    problems = V.cell_mismatches(report, expected)
    assert not problems, "\n".join(problems[:40])
    codes = {(f.code, f.table) for f in report.findings if f.severity == "error"}
    assert ("table_missing", "review_litigation") in codes or any(c == "section_missing" for c, _ in codes)


def test_headings_without_tables_emit_no_cells(parse_cached):
    # the Shenyang case (spec §10.3): headings 二/三/四 present, the tables not; no zeros invented
    text = V.seed_text("001")
    lines = [ln for ln in text.split("\n") if "|" not in ln]
    report = parse_cached("\n".join(lines).encode("utf-8"), "001-no-tables.txt")
    assert report.cells == []
    assert report.template == "unknown"
    assert _findings(report, "template_unknown")
    missing = {f.table for f in _findings(report, "table_missing")}
    assert {"applications", "review_litigation"} <= missing


RT = (FIXTURES / "run_together" / "blank_glued_to_label.txt").read_text(encoding="utf-8")


def _cells(report) -> dict:
    return {(c.table, c.row, c.column): c for c in report.cells}


# ------------------------------------------------------------------------------------------------
# Results that look right but are not (issue 14): spliced reports, a report printed twice, a printed doctype
# ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), [("000", "001"), ("003", "004"), ("002", "002-variant")])
def test_two_reports_in_one_file_are_refused(first, second):
    text_b = V.make_variant("002").text if second == "002-variant" else V.seed_text(second)
    data = (V.seed_text(first) + "\n" + text_b).encode()
    with pytest.raises(ParseError) as err:
        parse_bytes(data, "two.txt")
    assert err.value.code == "several_reports"
    assert "two reports" in err.value.message and "split it" in err.value.message


def test_two_run_together_reports_in_one_file_are_refused_even_on_one_line():
    other = (FIXTURES / "run_together" / "blank_hides_a3.txt").read_text(encoding="utf-8")
    for data in (RT + "\n" + other, RT.replace("\n", " ") + " " + other.replace("\n", " ")):
        with pytest.raises(ParseError) as err:
            parse_bytes(data.encode(), "two.txt")
        assert err.value.code == "several_reports"


@pytest.mark.parametrize("seed", ["000", "003"])
def test_one_report_printed_twice_is_one_report(seed):
    text = V.seed_text(seed)
    once = parse_bytes(text.encode(), "once.txt")
    twice = parse_bytes((text + "\n" + text).encode(), "twice.txt")
    assert {k: c.value for k, c in _cells(twice).items()} == {k: c.value for k, c in _cells(once).items()}


@pytest.mark.parametrize("doctype", [
    '&lt;!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
    '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"&gt;',
    "&lt;!DOCTYPE html&gt;",
])
def test_a_doctype_printed_in_the_text_is_no_part_of_the_organisation(doctype):
    page = (f"<p>{doctype}</p>" if "PUBLIC" in doctype else doctype) + "\n"
    for data in ((page + V.seed_text("000")).encode(),
                 (V.FIXTURES / "html" / "wandong_2019_layout.html").read_bytes().replace(
                     b"<body topmargin=0>", b"<body topmargin=0><p>" + doctype.encode() + b"</p>", 1)):
        report = parse_bytes(data, "page.txt")
        assert report.organization in ("浈江区花坪镇", "万东镇人民政府"), report.organization
