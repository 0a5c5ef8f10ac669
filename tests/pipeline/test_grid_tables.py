"""What real files do to the grid reader (spec §15, issue 13), one trait at a time, on generated reports
whose truth is known: tables found by their contents, never a value placed by position alone."""

from __future__ import annotations

import random
import re

import pytest

from pipeline import parse_bytes
from pipeline.model import Report
from pipeline.runtogether.solve import solve_applications
from synthetic.corpus import SynthReport, make_report

COLS = ("natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total")


def base(layout: str, seed: int = 3) -> tuple[SynthReport, str]:
    r, data = make_report(seed, random.Random(seed), 0.0, layouts=(layout,))
    return r, data.decode(r.encoding)


def wrong_and_placed(report: Report, r: SynthReport) -> tuple[list, int]:
    got = {(c.table, c.row, c.column): c.value for c in report.cells}
    wrong = [(k, v, r.values.get(k, "absent")) for k, v in got.items() if r.values.get(k, "absent") != v]
    return wrong, len(got)


def test_a_table_of_contents_does_not_hide_the_tables():
    """Every heading listed in the preamble: the headings there open no section; the tables are where
    their contents are (before, 0 cells were placed)."""
    r, text = base("pipe")
    toc = ["本报告包括：", "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
           "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
    lines = text.splitlines()
    report = parse_bytes("\n".join([lines[0], *toc, *lines[1:]]).encode(), "toc.txt")
    wrong, placed = wrong_and_placed(report, r)
    assert wrong == [] and placed == len(r.values)
    assert report.organization == r.organization and report.report_year == r.report_year


def test_table_titles_and_missing_headings():
    r, text = base("tab")
    text = (text.replace("二、主动公开政府信息情况", "表二：主动公开政府信息情况")
            .replace("三、收到和处理政府信息公开申请情况", "表三")
            .replace("四、政府信息公开行政复议、行政诉讼情况", ""))
    report = parse_bytes(text.encode(), "titles.txt")
    wrong, placed = wrong_and_placed(report, r)
    assert wrong == [] and placed == len(r.values)


def test_a_cms_fragment_with_its_first_table_far_down_is_html():
    r, page = base("html")
    body = page[page.index('<div class="article">'):page.index('<div class="footer">')]
    body = re.sub(r"</?div[^>]*>", "", body)
    body = re.sub(r"<h[12]>(.*?)</h[12]>", r"<p>\1</p>", body)
    fragment = ("<p>" + "我单位认真贯彻落实条例，" * 400 + "</p>\n" + body).encode("gb18030")
    assert fragment.index(b"<table") > 4096 and b"<body" not in fragment
    report = parse_bytes(fragment, "fragment.txt")
    wrong, placed = wrong_and_placed(report, r)
    assert report.input_format == "html" and wrong == [] and placed == len(r.values)


def _replace_row(text: str, r: SynthReport, row: str, cells: list[str]) -> str:
    printed = " | ".join(str(r.values[("applications", row, c)]) for c in COLS)
    label = next(line for line in text.splitlines() if line.replace("  ", " ").endswith(printed + " |")
                 or (" | ".join(c.strip() for c in line.split("|")[-8:-1]) == printed))
    head = label.split("|")[: -8]
    return text.replace(label, "|".join(head) + "|" + "".join(f" {c}  |" for c in cells))


@pytest.fixture
def busy() -> tuple[SynthReport, str]:
    """A pipe-layout report whose `granted` row is 160, 0, 0, 2, 0, 0, 162."""
    r, text = base("pipe", seed=11)
    values = dict(zip(COLS, (160, 0, 0, 2, 0, 0, 162), strict=True))
    old = [str(r.values[("applications", "granted", c)]) for c in COLS]
    line = next(x for x in text.splitlines() if "予以公开" in x)
    new_line = line
    for value in old:  # rewrite the row's last seven cells
        new_line = new_line.replace(f"{value}  | ", "\0", 1)
    new_line = new_line.split("\0")[0] + "".join(f"{values[c]}  | " for c in COLS)
    for c in COLS:
        r.values[("applications", "granted", c)] = values[c]
    return r, text.replace(line, new_line)


def test_a_number_broken_inside_its_cell_is_joined_only_as_a3_certifies(busy):
    """`160 0 0 2 0 0 1 62`: eight values for seven columns. The last seven (0, 0, 2, 0, 0, 1, 62) would be
    wrong; only 162 joined satisfies A3."""
    r, text = busy
    line = next(x for x in text.splitlines() if "予以公开" in x)
    report = parse_bytes(text.replace(line, line.replace("162  |", "1  | 62  |")).encode(), "broken.txt")
    assert [report.cell("applications", "granted", c).value for c in COLS] == [160, 0, 0, 2, 0, 0, 162]
    assert any(f.code == "number_joined" and f.row == "granted" for f in report.findings)
    wrong, _ = wrong_and_placed(report, r)
    assert wrong == []


def test_eight_values_no_reading_certifies_are_left_out(busy):
    _, text = busy
    line = next(x for x in text.splitlines() if "予以公开" in x)
    report = parse_bytes(text.replace(line, line.replace("162  |", "1  | 63  |")).encode(), "broken.txt")
    assert all(report.cell("applications", "granted", c) is None for c in COLS)
    finding = next(f for f in report.findings if f.code == "surplus_ambiguous")
    assert finding.row == "granted" and "cells left out" in finding.message


def test_a_broken_number_in_run_together_text():
    sol = solve_applications({"granted": "160 0 0 2 0 0 1 62"}, "2021")
    assert [int(v) for v in sol.values("granted")] == [160, 0, 0, 2, 0, 0, 162]
    assert [n.code for n in sol.notes()] == ["number_joined"]
    assert solve_applications({"granted": "160 0 0 2 0 0 1 63"}, "2021").values("granted") is None


MARKDOWN = """二、主动公开政府信息情况

| 第二十条第 |  |  |  |
|---|---|---|---|
| ( |  |  |  |
| 一 |  |  |  |
| ) |  |  |  |
| 项 |  |  |  |
|  |  | 本年新公开数 | 对外公开总数 |
| 信息内容 | 本年新制作数量 | 量 | 量 |
| 规章 | 0 | 0 | 1 |
| 规范性文件 | 0 | 5 | 687 |

| 第二十条第（九）项 |  |  |
|---|---|---|
|  |  | 采购总金额 |
| 信息内容 | 采购项目数量 | （2019 |
|  |  | 年起） |
| 政府集中采购 | 829 | 2366389.86元 |

三、收到和处理政府信息公开申请情况

| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） |  |  | 申请人情况 |  |  |  |  |  |  |
|---|---|---|---|---|---|---|---|---|---|
|  |  |  | 自然人 | 法人或其他组织 |  |  |  |  | 总计 |
|  |  |  |  | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |  |
|  | （四）无法提 | 1.本机关不掌握 |  |  |  |  |  |  |  |
|  | 供 | 相关政府信息 | 6 | 1 | 0 | 0 | 0 | 0 | 7 |
|  | （六）其他处 |  |  |  |  |  |  |  |  |
|  | 理 |  | 3 | 0 | 0 | 0 | 0 | 0 | 3 |

- 2 -

|  |  |  | 自然人 | 法人或其他组织 |  |  |  |  | 总计 |
|---|---|---|---|---|---|---|---|---|---|
|  |  |  |  | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 |  |
|  |  | 事项 | 0 | 1 | 0 | 0 | 0 | 0 | 1 |
"""


def test_pdf_markdown_wrapped_headings_labels_and_headers():
    """A sub-heading over five lines, a header wrapped per column, `（2019年起）` split in a header: the
    columns keep the template's order (the header lines say nothing about them), the wrapped labels are
    joined column by column, and a label fragment under a repeated header (`事项`) is no row."""
    report = parse_bytes(MARKDOWN.encode(), "pdf.md")
    cell = report.cell
    assert report.table_templates["art20_1"] == "2019"
    assert [cell("art20_1", "normative_documents", c).value for c in ("new_made", "new_published",
                                                                      "total_published")] == [0, 5, 687]
    assert cell("art20_9", "central_procurement", "procurement_projects").value == 829
    assert cell("art20_9", "central_procurement", "procurement_amount").value == 2366389.86
    assert [cell("applications", "unable_no_info", c).value for c in COLS] == [6, 1, 0, 0, 0, 0, 7]
    assert cell("applications", "other_processing", "total").value == 3  # （六）其他处 / 理: the 2019 leaf row
    assert {c.row for c in report.cells if c.table == "applications"} == {"unable_no_info", "other_processing"}
    assert any(f.code == "cells_unplaced" and "事项" in f.message for f in report.findings)


def test_review_pieces_are_joined_only_when_r1_r3_hold():
    r, text = base("tab", seed=4)
    lines = text.splitlines()
    i = next(k for k, x in enumerate(lines) if x.count("\t") == 14 and x.split("\t")[0].strip().isdigit())
    cells = lines[i].split("\t")
    joined = parse_bytes("\n".join([*lines[:i], "\t".join(cells[:8]), "\t".join(cells[8:]),
                                    *lines[i + 1:]]).encode(), "pieces.txt")
    assert [joined.cell("review_litigation", "cases", f"review_{p}").value
            for p in ("upheld", "corrected", "other", "pending", "total")] == [
        r.values[("review_litigation", "cases", f"review_{p}")]
        for p in ("upheld", "corrected", "other", "pending", "total")]
    stray = parse_bytes("\n".join([*lines[:i], "\t".join(cells[:8]), "\t".join(["9", *cells[9:]]),
                                   *lines[i + 1:]]).encode(), "stray.txt")
    if int(cells[8]) != 9:
        assert not [c for c in stray.cells if c.table == "review_litigation"]
        assert any(f.code == "row_pieces_unconfirmed" for f in stray.findings)
