"""Body keys across years: the matching rule of pipeline/bodies.py on the cases it must get right,
including the ones it must refuse to merge."""

from __future__ import annotations

import pytest

from pipeline.bodies import assign_body_keys, split_body_name


@pytest.mark.parametrize(
    ("name", "prefix", "core"),
    [
        ("克井镇人民政府", "", "克井镇"),
        ("克井镇", "", "克井镇"),
        ("湘乡市泉塘镇人民政府", "湘乡市", "泉塘镇"),
        ("北票市长皋乡人民政府", "北票市", "长皋乡"),
        ("浈江区花坪镇", "浈江区", "花坪镇"),
        ("韶关市浈江区花坪镇", "韶关市浈江区", "花坪镇"),
        ("新市镇", "", "新市镇"),  # a town whose name contains 市 is not split
        ("武汉市生态环境局", "", "武汉市生态环境局"),  # departments keep their whole name
        ("万东镇 人民政府", "", "万东镇"),
    ],
)
def test_split(name, prefix, core):
    parts = split_body_name(name)
    assert (parts.prefix, parts.core) == (prefix, core)


def test_variants_of_one_body_share_a_key():
    keys = assign_body_keys(["克井镇人民政府", "克井镇", "湘乡市泉塘镇人民政府", "泉塘镇",
                             "韶关市浈江区花坪镇", "浈江区花坪镇", "花坪镇"])
    assert keys["克井镇人民政府"] == keys["克井镇"] == ("克井镇", False)
    assert keys["湘乡市泉塘镇人民政府"] == keys["泉塘镇"] == ("湘乡市泉塘镇", False)
    assert keys["韶关市浈江区花坪镇"] == keys["浈江区花坪镇"] == keys["花坪镇"] == ("韶关市浈江区花坪镇", False)


def test_two_different_bodies_are_never_merged():
    keys = assign_body_keys(["湘乡市泉塘镇", "浏阳市泉塘镇", "泉塘镇", "生态环境局", "武汉市生态环境局"])
    assert keys["湘乡市泉塘镇"] == ("湘乡市泉塘镇", False)
    assert keys["浏阳市泉塘镇"] == ("浏阳市泉塘镇", False)
    assert keys["泉塘镇"] == ("泉塘镇?", True)  # could be either: a body of its own, flagged
    assert keys["生态环境局"][0] != keys["武汉市生态环境局"][0]
