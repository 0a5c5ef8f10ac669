"""The decoding stage alone: each supported encoding is recognised and decoded losslessly, and bytes
that no supported encoding decodes cleanly are rejected, never mangled."""

from __future__ import annotations

import codecs

import pytest

from pipeline import ParseError
from pipeline.decoding import decode

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
