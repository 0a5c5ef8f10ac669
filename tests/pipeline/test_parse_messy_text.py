"""Real reports are messier than the seeds: page numbers inside tables, typos in labels, markdown
tables, full-width digits, NBSP inside labels. Each case asserts the exact cells that must land."""

from __future__ import annotations

import pytest

from pipeline import parse_bytes
from tests.support import FIXTURES

SEEDS = FIXTURES / "seeds"


def seed(name: str) -> str:
    return next(SEEDS.glob(f"{name}_*.txt")).read_text(encoding="utf-8")


def _nonzero(report):
    return {(c.table, c.row, c.column): c.value for c in report.cells if c.value}


def test_page_numbers_inside_tables_are_skipped_and_reported():
    text = seed("001")
    text = text.replace("(四)无法提供 |", "- 3 -\n(四)无法提供 |").replace("(五)不予处理 |", "第 4 页\n(五)不予处理 |")
    report = parse_bytes(text.encode(), "paged.txt")
    assert len(report.cells) == 200
    assert not [f for f in report.findings if f.severity == "error"]
    skipped = [f for f in report.findings if f.code == "page_number_skipped"]
    assert len(skipped) == 1 and "lines" in skipped[0].message


def test_markdown_tables_with_separators():
    lines = []
    for line in seed("001").splitlines():
        if " | " in line or line.endswith("|"):
            cells = [c.strip() for c in line.split("|")]
            while cells and not cells[-1]:
                cells.pop()
            lines.append("| " + " | ".join(cells) + " |")
            if cells and cells[0] == "信息内容":
                lines.append("|" + "---|" * len(cells))
        else:
            lines.append(line)
    report = parse_bytes("\n".join(lines).encode(), "md.txt")
    assert report.template == "2021"
    assert len(report.cells) == 200
    assert _nonzero(report) == {("art20_8", "admin_fees", "fee_amount_wan_yuan"): 9.51}


def test_full_width_digits_nbsp_and_ideographic_space_in_labels():
    text = seed("001").replace("行政处罚 | 0 |", "行政\u3000处罚 | １２ |")
    text = text.replace("规章 | 0 | 0 | 0", "规\xa0章 | 7 | 0 | 0")
    report = parse_bytes(text.encode("gb18030"), "fw.txt")
    assert report.encoding == "gb18030"
    assert report.cell("art20_6", "penalty", "decisions").value == 12
    assert report.cell("art20_6", "penalty", "decisions").raw == "１２"
    assert report.cell("art20_1", "regulations", "issued").value == 7


@pytest.mark.parametrize("typo", ["不予受理", "其他受理"])
def test_label_typos_seen_in_real_reports(typo):
    original = "不予处理" if typo == "不予受理" else "其他处理"
    report = parse_bytes(seed("001").replace(original, typo).encode(), "typo.txt")
    assert report.template == "2021"
    assert len(report.cells) == 200
    assert not [f for f in report.findings if f.severity == "error"]


def test_section_heading_typo_still_finds_the_review_table():
    text = seed("000").replace("四、政府信息公开行政复议、行政诉讼情况", "四、政府信息公开行政法复议、行政诉讼情况")
    report = parse_bytes(text.encode(), "typo.txt")
    assert sum(1 for c in report.cells if c.table == "review_litigation") == 15


def test_2019_other_processing_typo_is_still_one_leaf_row():
    report = parse_bytes(seed("000").replace("(六)其他处理", "(六)其他受理").encode(), "typo.txt")
    assert report.template == "2019"
    assert report.cell("applications", "other_processing", "total").value == 0


def test_digits_split_by_a_space_are_never_glued():
    """`1 0` (a <br> or a PDF wrap inside a cell) is not silently 10: the cell is reported, not placed."""
    report = parse_bytes(seed("002").replace("行政处罚\t13\t", "行政处罚\t1 3\t").encode(), "split.txt")
    assert report.cell("art20_6", "penalty", "decisions") is None
    finding = next(f for f in report.findings if f.code == "digits_split_by_space")
    assert (finding.severity, finding.table, finding.row, finding.raw) == ("error", "art20_6", "penalty", "1 3")
    assert report.cell("art20_6", "coercion", "decisions").value == 0


def test_padding_around_a_number_is_not_a_split():
    report = parse_bytes(seed("002").replace("行政处罚\t13\t", "行政处罚\t  13  \t").encode(), "pad.txt")
    assert report.cell("art20_6", "penalty", "decisions").value == 13
