"""Synthetic reports with known truth: any template, in any text layout and encoding (issue 7).

Reports are rendered from the template declarations, so the truth is known by construction: values
satisfy every identity of spec §7 unless a defect says otherwise. Deterministic for a given seed.
Used by the benchmark (throughput and accuracy) and by tests that need combinations the five seeds lack.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from pipeline.templates import (
    APPLICANT_COLUMNS,
    APPLICATION_COLUMNS,
    APPLICATION_GROUPS,
    APPLICATION_ROWS,
    DISCLOSURE_TABLES,
    OUTCOME_ROWS,
    REVIEW_COLUMNS,
    REVIEW_ROW,
)

Key = tuple[str, str, str]
LAYOUTS = ("pipe", "pipe_trailing", "tab", "markdown", "block", "stream")
RUN_TOGETHER = "run_together"  # crawled text, cells glued with no delimiter (spec §14): only identities split it
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")

_REVIEW_HEADER = (
    ["行政复议", "行政诉讼"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
)
_TOWNS = ("花坪镇", "克井镇", "泉塘镇", "万东镇", "长皋乡", "城关镇", "新华街道", "东湖街道", "石门乡", "河口镇")
_COUNTIES = ("浈江区", "济源市", "湘乡市", "北票市", "黄陂区", "宁乡市", "")


@dataclass
class SynthReport:
    """One generated report and its truth."""

    name: str
    template: str
    layout: str
    encoding: str
    organization: str
    report_year: int
    published_on: str | None
    values: dict[Key, int | float | None]  # the printed truth
    defects: list[str] = field(default_factory=list)
    lost_labels: bool = False

    def truth(self) -> dict:
        return {
            "file": self.name, "template": self.template, "layout": self.layout, "encoding": self.encoding,
            "organization": self.organization, "report_year": self.report_year,
            "published_on": self.published_on, "defects": self.defects, "status": "parsed",
            "cells": [[t, r, c, v] for (t, r, c), v in self.values.items()],
        }


def _count(rng: random.Random, busy: float) -> int:
    return rng.choice((0, 0, 0, rng.randint(1, 9), rng.randint(10, 400))) if rng.random() < busy else 0


def make_values(template: str, rng: random.Random) -> dict[Key, int | float | None]:
    """Values for every cell of the template, satisfying A1–A3 and R1–R3."""
    values: dict[Key, int | float | None] = {}
    for key, table in DISCLOSURE_TABLES.items():
        for item in table.rows.get(template, ()):
            for m in table.measures[template]:
                if m.kind == "signed_count":
                    v: int | float = rng.randint(-20, 40)
                elif m.kind == "money_yuan":
                    v = float(Decimal(rng.randint(0, 5_000_000)) / 100)
                elif m.kind == "money_wan_yuan":
                    v = float(Decimal(rng.randint(0, 2_000_000)) / 10_000)
                else:
                    v = _count(rng, 0.7)
                values[(key, item.key, m.key)] = v
    app = "applications"
    busy = rng.random()
    for row in OUTCOME_ROWS[template]:
        for c in APPLICANT_COLUMNS:
            values[(app, row, c)] = _count(rng, busy * (1.0 if c == "natural_person" else 0.3))
    for c in APPLICANT_COLUMNS:
        total = sum(values[(app, r, c)] for r in OUTCOME_ROWS[template])  # A2
        forward = rng.randint(0, 5) if busy > 0.5 else 0
        over = rng.randint(0, total + forward)
        values[(app, "total", c)] = total
        values[(app, "carried_forward", c)] = forward
        values[(app, "carried_over", c)] = over
        values[(app, "new_received", c)] = total + forward - over  # A1
    for row in APPLICATION_ROWS[template]:
        values[(app, row.key, "total")] = sum(values[(app, row.key, c)] for c in APPLICANT_COLUMNS)  # A3
    for block in range(3):
        parts = [rng.choice((0, 0, 1, 2, 5)) for _ in range(4)]
        cols = REVIEW_COLUMNS[block * 5:(block + 1) * 5]
        for col, v in zip(cols, [*parts, sum(parts)], strict=True):
            values[("review_litigation", REVIEW_ROW, col)] = v
    return values


def _fmt(value: int | float | None, column: str, rng: random.Random, blank: str) -> str:
    if value is None:
        return blank
    if column == "procurement_amount":
        return f"{value:.2f}元"
    if column == "items_change" and isinstance(value, int) and value > 0 and rng.random() < 0.5:
        return f"+{value}"
    if isinstance(value, float):
        return f"{value:f}".rstrip("0").rstrip(".")
    return str(value)


def document(r: SynthReport, rng: random.Random, blank: str = "") -> list[tuple[bool, list[str]]]:
    """The report as (is_table_row, cells) lines, before any layout is applied."""
    v = r.values
    lines: list[tuple[bool, list[str]]] = [
        (False, [f"{r.organization}{r.report_year}年政府信息公开工作年度报告"]),
        (False, ["一、总体情况"]),
        (False, [f"{r.report_year}年，我单位认真贯彻落实《中华人民共和国政府信息公开条例》，主动公开政府信息。"]),
        (False, ["二、主动公开政府信息情况"]),
    ]
    for key, table in DISCLOSURE_TABLES.items():
        if r.template not in table.rows:
            continue
        measures = table.measures[r.template]
        lines.append((True, [f"第二十条第（{table.item}）项"]))
        lines.append((True, ["信息内容", *(m.label for m in measures)]))
        for item in table.rows[r.template]:
            lines.append((True, [item.label, *(_fmt(v[(key, item.key, m.key)], m.key, rng, blank) for m in measures)]))
    lines.append((False, ["三、收到和处理政府信息公开申请情况"]))
    lines.append((True, ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"]))
    lines.append((True, ["自然人", "法人或其他组织", "总计"]))
    lines.append((True, ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]))
    group_first = {g.rows[0]: g for g in APPLICATION_GROUPS[r.template]}
    lost = {"denied_" + k for k in ("state_secret", "law_forbidden", "security_stability", "third_party_rights",
                                    "internal_affairs", "process_info", "enforcement_file", "admin_query")}
    lost |= {"unable_no_info", "unable_need_creation"}
    for row in APPLICATION_ROWS[r.template]:
        cells = [_fmt(v[("applications", row.key, c)], c, rng, blank) for c in APPLICATION_COLUMNS]
        labels = [row.label]
        if r.lost_labels and row.key in lost:
            labels = ["0"]  # the sub-label replaced by a placeholder 0, as in seed 003
        if row.key in group_first:
            labels = [group_first[row.key].label, *labels]
        if row.key == "granted":
            labels = ["三、本年度办理结果", *labels]
        lines.append((True, [*labels, *cells]))
    lines.append((False, ["四、政府信息公开行政复议、行政诉讼情况"]))
    lines += [(True, list(h)) for h in _REVIEW_HEADER]
    lines.append((True, [_fmt(v[("review_litigation", REVIEW_ROW, c)], c, rng, blank) for c in REVIEW_COLUMNS]))
    lines += [
        (False, ["五、存在的主要问题及改进情况"]),
        (False, ["信息公开的及时性有待提高，下一步将加强培训。"]),
        (False, ["六、其他需要报告的事项"]),
        (False, ["本年度未收取信息处理费。"]),
    ]
    if r.published_on:
        y, m, d = (int(x) for x in r.published_on.split("-"))
        lines += [(False, [r.organization]), (False, [f"{y}年{m}月{d}日"])]
    return lines


def render(lines: list[tuple[bool, list[str]]], layout: str) -> str:
    """Apply one of the text layouts the parser reads (the five seed layouts and markdown)."""
    out: list[str] = []
    width = max(len(cells) for is_table, cells in lines if is_table)
    for is_table, cells in lines:
        if not is_table:
            out.append(cells[0])
        elif layout == "pipe":
            out.append("".join(f"{c}  | " for c in cells))
        elif layout == "pipe_trailing":
            out.append(" | ".join(cells) + " |" + "|" * (width - len(cells)))
        elif layout == "tab":
            out.append("\t".join(cells))
        elif layout == "markdown":
            out.append("| " + " | ".join(cells) + " |")
        elif layout == "block":
            out += [f"\t{c}" for c in cells] + [""]
        elif layout == "stream":
            out += [f"{c} |" for c in cells]
        elif layout == RUN_TOGETHER:
            out.append("".join(cells))
        else:
            raise ValueError(f"unknown layout {layout}")
    return "\n".join(out) + "\n"


def make_report(i: int, rng: random.Random, defect_rate: float = 0.1,
                layouts: tuple[str, ...] = LAYOUTS) -> tuple[SynthReport, bytes]:
    """Report number i of a corpus: random template, layout, encoding, values and maybe a defect."""
    template = rng.choice(("2019", "2021"))
    layout = rng.choice(layouts)
    encoding = rng.choice(ENCODINGS)
    org = rng.choice(_COUNTIES) + rng.choice(_TOWNS) + rng.choice(("人民政府", ""))
    year = rng.randint(2019, 2025)
    published = f"{year + 1}-01-{rng.randint(10, 31)}" if rng.random() < 0.5 else None
    values = make_values(template, rng)
    r = SynthReport(f"{i:07d}_{template}_{layout}.txt", template, layout, encoding, org, year, published, values)
    blank = ""
    if rng.random() < defect_rate:
        defect = rng.choice(("blank_cells", "broken_identity", "lost_labels"))
        if defect == "blank_cells":
            blank = rng.choice(("-", "/", "无"))  # placeholders are positional in every layout
            for key in rng.sample(sorted(k for k in values if k[0] == "applications" and k[2] != "total"), 3):
                values[key] = None
        elif defect == "broken_identity":
            key = ("applications", "total", "natural_person")
            values[key] = int(values[key] or 0) + 1
        elif layout == "block":
            r.lost_labels = True
        r.defects.append(defect if defect != "lost_labels" or r.lost_labels else "none")
    text = render(document(r, rng, blank), layout)
    return r, text.encode(encoding)


def corpus(n: int, seed: int = 0, defect_rate: float = 0.1,
           layouts: tuple[str, ...] = LAYOUTS) -> Iterator[tuple[SynthReport, bytes]]:
    rng = random.Random(seed)
    for i in range(n):
        yield make_report(i, rng, defect_rate, layouts)
