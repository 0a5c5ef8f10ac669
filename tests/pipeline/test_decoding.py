"""The decoding stage alone: each supported encoding is recognised and decoded losslessly, and bytes
that no supported encoding decodes cleanly are rejected, never mangled."""

from __future__ import annotations

import codecs
import random

import pytest

from pipeline import ParseError, parse_bytes
from pipeline.decoding import decode
from pipeline.normalize import parse_value
from tests.support import FIXTURES
from tests.support import variants as V

TRADITIONAL = (
    "武漢市生態環境局2020年政府信息公開工作年度報告\n一、總體情況\n"
    "本機關認真貫徹落實《中華人民共和國政府信息公開條例》，對外公開總數量穩步增長。\n"
    "二、主動公開政府信息情況\n規範性檔案、行政許可、行政處罰、行政強制等資訊均按規定及時公開。\n"
) * 3
SIMPLIFIED = (
    "浈江区花坪镇2024年度政府信息公开工作年度报告\n一、总体情况\n"
    "在浈江区委、区政府的坚强领导下，进一步加强信息公开工作。\n"
) * 3


def test_big5_traditional_text():
    decoded = decode(TRADITIONAL.encode("big5"))
    assert decoded.encoding == "big5"
    assert decoded.text == TRADITIONAL
    assert 0 < decoded.confidence < 1


@pytest.mark.parametrize(
    ("data", "encoding", "confidence"),
    [
        (SIMPLIFIED.encode("utf-8"), "utf-8", 1.0),
        (codecs.BOM_UTF8 + SIMPLIFIED.encode("utf-8"), "utf-8-sig", 1.0),
        (SIMPLIFIED.encode("utf-16"), "utf-16", 1.0),
        (codecs.BOM_UTF16_BE + SIMPLIFIED.encode("utf-16-be"), "utf-16", 1.0),
        (SIMPLIFIED.encode("utf-16-le"), "utf-16-le", 0.9),
        (SIMPLIFIED.encode("utf-16-be"), "utf-16-be", 0.9),
    ],
)
def test_bom_utf8_and_utf16(data, encoding, confidence):
    decoded = decode(data)
    assert (decoded.text, decoded.encoding, decoded.confidence) == (SIMPLIFIED, encoding, confidence)


@pytest.mark.parametrize("codec", ["gbk", "gb2312", "gb18030"])
def test_gbk_family_is_decoded_as_gb18030(codec):
    decoded = decode(SIMPLIFIED.encode(codec))
    assert decoded.encoding == "gb18030"
    assert decoded.text == SIMPLIFIED


def test_gb18030_only_characters_survive():
    text = SIMPLIFIED + "生僻字：㐀䶵\n"  # CJK extension A: in GB18030, not in GBK
    assert decode(text.encode("gb18030")).text == text


@pytest.mark.parametrize("codec", ["gb18030", "big5", "utf-8"])
def test_other_encodings_are_not_taken_for_bomless_utf16(codec):
    text = TRADITIONAL if codec == "big5" else SIMPLIFIED
    data = text.encode(codec)
    data += b" " * (len(data) % 2)  # even length: the case where a UTF-16 reading is even possible
    assert not decode(data).encoding.startswith("utf-16")


def test_invalid_utf8_with_a_bom_is_rejected_not_mangled():
    with pytest.raises(ParseError) as err:
        decode(codecs.BOM_UTF8 + SIMPLIFIED.encode("gb18030"))
    assert err.value.code == "undecodable"


RT = (FIXTURES / "run_together" / "blank_glued_to_label.txt").read_text(encoding="utf-8")


def _cells(report) -> dict:
    return {(c.table, c.row, c.column): c for c in report.cells}


def _findings(report, code: str) -> list:
    return [f for f in report.findings if f.code == code]


# ------------------------------------------------------------------------------------------------
# A few bad bytes (issue 14): decoded with U+FFFD, reported, and no value read from them
# ------------------------------------------------------------------------------------------------


def _inject(text: str, marker: str, junk: bytes, enc: str = "utf-8", after: bool = False) -> bytes:
    data = text.encode(enc)
    i = data.index(marker.encode(enc)) + (len(marker.encode(enc)) if after else 0)
    return data[:i] + junk + data[i:]


def test_one_bad_byte_in_the_prose_loses_nothing():
    text = V.seed_text("001")
    clean = parse_bytes(text.encode(), "001.txt")
    report = parse_bytes(_inject(text, "(二)依申请", b"\xff"), "001.txt")
    assert report.encoding == "utf-8" and report.encoding_confidence < 1
    [finding] = _findings(report, "bytes_replaced")
    line = text[: text.index("(二)依申请")].count("\n") + 1
    assert finding.line == line and f"line {line}" in finding.message and "1 byte(s) in 1 place(s)" in finding.message
    assert {k: c.value for k, c in _cells(report).items()} == {k: c.value for k, c in _cells(clean).items()}
    assert report.organization == clean.organization and report.report_year == clean.report_year


def test_a_bad_byte_inside_a_value_cell_leaves_that_cell_out():
    text = V.make_variant("000").text
    line = next(i for i, x in enumerate(text.splitlines()) if x.startswith("行政处罚"))
    row = text.splitlines()[line]
    first_value = row.split("|")[1].strip()
    damaged = row.replace(first_value, first_value[0] + "\udcff" + first_value[1:], 1)
    data = text.replace(row, damaged).encode("utf-8", "surrogateescape")
    report = parse_bytes(data, "000.txt")
    assert "art20_6" in report.table_templates
    assert ("art20_6", "penalty", "prev_year_items") not in _cells(report)
    [finding] = _findings(report, "value_undecodable")
    assert (finding.table, finding.row, finding.column) == ("art20_6", "penalty", "prev_year_items")
    assert _cells(report)[("art20_6", "penalty", "items_change")].value is not None  # the row's other cells stay


def test_a_run_together_digit_run_touching_a_bad_byte_is_not_split():
    # `行政许可0` → `行政许可0<bad>`: the byte may have been a second digit; the run is left out, not read as 0.
    data = _inject(RT, "行政许可0", b"\xfe", after=True)
    report = parse_bytes(data, "rt.txt")
    assert report.layout == "run_together"
    assert ("art20_5", "licensing", "decisions") not in _cells(report)
    assert any(f.row == "licensing" for f in _findings(report, "value_undecodable"))
    assert _findings(report, "bytes_replaced")


def test_a_bad_byte_inside_an_application_row_of_run_together_text():
    data = _inject(RT, "（七）总计0123", b"\x80", after=True)
    report = parse_bytes(data, "rt.txt")
    assert not [k for k in _cells(report) if k[:2] == ("applications", "total")]
    assert any(f.row == "total" for f in _findings(report, "value_undecodable"))


def test_gb18030_with_one_bad_byte_is_read_with_a_finding():
    text = V.seed_text("003")
    clean = parse_bytes(text.encode("gb18030"), "003.txt")
    report = parse_bytes(_inject(text, "二、主动公开", b"\xff", enc="gb18030"), "003.txt")
    assert report.encoding == "gb18030"
    assert _findings(report, "bytes_replaced")
    assert {k: c.value for k, c in _cells(report).items()} == {k: c.value for k, c in _cells(clean).items()}


def test_a_utf8_html_page_with_a_bad_byte():
    page = (FIXTURES / "html" / "wandong_2019_layout.html").read_bytes()
    clean = parse_bytes(page, "p.html")
    i = page.index("第二十条".encode())
    report = parse_bytes(page[:i] + b"\xc3" + page[i:], "p.html")
    assert report.input_format == "html" and _findings(report, "bytes_replaced")
    assert len(report.cells) == len(clean.cells)


@pytest.mark.parametrize("share", [0.02, 0.3])
def test_a_file_that_is_mostly_garbage_is_still_undecodable(share):
    text = V.seed_text("001")
    data = bytearray(text.encode())
    rng = random.Random(1)
    for i in rng.sample(range(len(data)), int(len(data) * share)):
        data[i] = 0xFF
    with pytest.raises(ParseError) as err:
        parse_bytes(bytes(data), "x.txt")
    assert err.value.code == "undecodable"


def test_more_than_the_allowed_places_is_undecodable():
    text = V.seed_text("001") * 4  # long enough that 120 bad bytes stay under 1 %
    data = text.encode()
    step = len(data) // 121
    damaged = b"".join(data[i:i + step] + b"\xff" for i in range(0, step * 120, step)) + data[step * 120:]
    with pytest.raises(ParseError) as err:
        decode(damaged)
    assert err.value.code == "undecodable"


def test_a_replacement_character_cell_is_a_value_of_unknown_number():
    assert parse_value("1\ufffd2").replaced and parse_value("\ufffd").replaced
    assert parse_value("行政\ufffd可") is None  # a label with a damaged ideograph stays a label
