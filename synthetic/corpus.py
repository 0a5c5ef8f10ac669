"""Synthetic reports with known truth: any template, in any text layout or as a web page, in any encoding (issue 7).

Reports are rendered from the template declarations, so the truth is known by construction: values
satisfy every identity of spec §7 unless a defect says otherwise. Deterministic for a given seed.
Used by the benchmark (throughput and accuracy) and by tests that need combinations the five seeds lack.

The layouts here all parse exactly; real files do not (spec §15). The layouts in REAL_LAYOUTS (a crawled
page on one line, a PDF converted to markdown, a CMS fragment, a page buried in site chrome) are rendered
by synthetic.realistic; `make_report` and `corpus` produce them only when asked, so the reports of
the existing layouts stay byte for byte what they were for a given seed.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape
from typing import Any

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
HTML = "html"  # a government web page (spec §10): not in LAYOUTS, which are the text layouts
PDF = "pdf"  # a PDF with ruled tables (synthetic.pdf, needs reportlab): in no default corpus
# Real-file layouts (spec §15, synthetic.realistic): never drawn unless asked for.
CRAWLED_PAGE = "crawled_page"  # a crawler's header block, then the whole page on one line
PDF_MARKDOWN = "pdf_markdown"  # a PDF converted to markdown: wrapped labels, page breaks inside tables
HTML_FRAGMENT = "html_fragment"  # a CMS export: <p> and <table> only, several KB of prose first
HTML_CHROME = "html_chrome"  # the HTML page inside 100–400 K characters of site chrome
REAL_LAYOUTS = (CRAWLED_PAGE, PDF_MARKDOWN, HTML_FRAGMENT, HTML_CHROME)
ENCODINGS = ("utf-8", "utf-8-sig", "gb18030", "utf-16")
# What a page in each encoding declares in its <meta>: GB18030 pages say GB2312 or GBK more often than not.
_HTML_CHARSETS = {
    "utf-8": ("utf-8", "UTF-8"), "utf-8-sig": ("utf-8", "UTF-8"),
    "gb18030": ("gb2312", "GBK", "gbk", "gb18030"), "utf-16": ("utf-16", "UTF-16"),
}

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
    traits: list[str] = field(default_factory=list)  # real-file traits shown (synthetic.realistic.TRAITS)
    detail: dict[str, object] = field(default_factory=dict)  # what a trait printed, for tests; not in the truth

    def truth(self) -> dict:
        row = {
            "file": self.name, "template": self.template, "layout": self.layout, "encoding": self.encoding,
            "organization": self.organization, "report_year": self.report_year,
            "published_on": self.published_on, "defects": self.defects, "status": "parsed",
            "cells": [[t, r, c, v] for (t, r, c), v in self.values.items()],
        }
        if self.traits:  # only real-like reports have any: the truth of the other layouts stays as it was
            row["traits"] = self.traits
        return row


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


# A cell as a page gives it: (text, rowspan, colspan).
_Cell = tuple[str, int, int]
_ORDINAL = re.compile(r"^[一二三四五六七八九十]、")
_NUMBER = re.compile(r"[+\-]?[\d.]+元?")
_WORD_TABLE = ("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
               "style='border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt'>")
_WORD_TD = " valign=middle style='border:solid windowtext 1.0pt;padding:0cm 5.4pt'"
_WORD_P = "<p class=MsoNormal align=center style='text-align:center'>"


def _merges(rows: list[list[str]], template: str) -> list[list[_Cell]]:
    """The merged cells of one table as the official forms have them (so each row keeps exactly its own cells).

    Table 三: the note spans the three label columns of the header, 自然人 and 总计 two header rows, the group
    labels (（三）不予公开 …) their rows and 三、本年度办理结果 every outcome row down to （七）总计; a row's last
    label spans what is left of the three label columns. Table 四: the two-level review/litigation header.
    Disclosure tables: a row shorter than the table (第二十条 titles, one-measure tables) ends in a colspan.
    """
    if rows[0][0].startswith("（本列数据"):
        values = len(APPLICATION_COLUMNS)
        spans = {g.label: len(g.rows) for g in APPLICATION_GROUPS[template]}
        spans["三、本年度办理结果"] = len(OUTCOME_ROWS[template]) + 1
        out = [[(rows[0][0], 3, 3), (rows[0][1], 1, values)],
               [(rows[1][0], 2, 1), (rows[1][1], 1, values - 2), (rows[1][2], 2, 1)],
               [(c, 1, 1) for c in rows[2]]]
        above: list[int] = []  # rows still covered by each rowspan label column
        for cells in rows[3:]:
            labels, nums = cells[:-values], cells[-values:]
            free = 3 - len(above) - len(labels) + 1
            above = [n - 1 for n in above if n > 1]
            row: list[_Cell] = []
            for k, label in enumerate(labels):
                if k == len(labels) - 1:
                    row.append((label, 1, free))
                else:
                    row.append((label, spans[label], 1))
                    above.append(spans[label] - 1)
            out.append(row + [(c, 1, 1) for c in nums])
        return out
    if rows[0] == _REVIEW_HEADER[0]:
        return [[(rows[0][0], 1, 5), (rows[0][1], 1, 10)],
                [*((c, 2, 1) for c in rows[1][:5]), (rows[1][5], 1, 5), (rows[1][6], 1, 5)],
                *([(c, 1, 1) for c in cells] for cells in rows[2:])]
    width = max(len(cells) for cells in rows)
    return [[*((c, 1, 1) for c in cells[:-1]), (cells[-1], 1, width - len(cells) + 1)] for cells in rows]


@dataclass
class _Page:
    """How one page marks up its text, drawn once per report."""

    rng: random.Random
    word: bool  # Word's "save as web page": every cell a <p class=MsoNormal> of <span>s
    nbsp: bool  # an empty cell holds &nbsp; (Word always writes one)

    def inline(self, text: str) -> str:
        """The text, sometimes split across <span>s; a long label sometimes broken with <br> (a space)."""
        parts = [text]
        if len(text) >= 2 and self.rng.random() < (0.3 if self.word else 0.1):
            k = self.rng.randint(1, len(text) - 1)
            parts = [text[:k], text[k:]]
        html = [escape(p, quote=False) for p in parts]
        if len(text) >= 8 and not _NUMBER.fullmatch(text) and self.rng.random() < 0.1:
            k = self.rng.randint(4, len(parts[-1]) - 1) if len(parts[-1]) >= 5 else 0
            if k:
                html[-1] = escape(parts[-1][:k], quote=False) + "<br>\n" + escape(parts[-1][k:], quote=False)
        if self.word:
            html[-1] += "<o:p></o:p>"
            tag = "<span lang=EN-US>" if _NUMBER.fullmatch(text) else "<span style='font-family:仿宋_GB2312'>"
            return "".join(f"{tag}{h}</span>" for h in html)
        return "".join(f"<span>{h}</span>" for h in html) if len(html) > 1 else html[0]

    def td(self, cell: _Cell) -> str:
        text, rowspan, colspan = cell
        attrs = (f" rowspan={rowspan}" if rowspan > 1 else "") + (f" colspan={colspan}" if colspan > 1 else "")
        if self.word:
            inner = self.inline(text) if text else "<span lang=EN-US>&nbsp;<o:p></o:p></span>"
            return f"  <td{attrs}{_WORD_TD}>{_WORD_P}{inner}</p></td>"
        inner = self.inline(text) if text else ("&nbsp;" if self.nbsp else "")
        return f"  <td{attrs}>{inner}</td>"

    def table(self, rows: list[list[_Cell]]) -> list[str]:
        head = _WORD_TABLE if self.word else '<table border="1" cellspacing="0" cellpadding="0" width="100%">'
        body = [f" <tr>\n{chr(10).join(self.td(c) for c in cells)}\n </tr>" for cells in rows]
        if not self.word and self.rng.random() < 0.5:
            body = ["<tbody>", *body, "</tbody>"]
        return [head, *body, "</table>"]

    def heading(self, text: str) -> str:
        if self.word:
            m = _ORDINAL.match(text)
            cut = m.end() if m else 0
            spans = "".join(f"<b><span style='font-family:黑体'>{escape(p, quote=False)}</span></b>"
                            for p in (text[:cut], text[cut:]) if p)
            return f"<p class=MsoNormal style='text-indent:32.0pt'>{spans}</p>"
        return f"<h2>{escape(text, quote=False)}</h2>"


def body_blocks(r: SynthReport, lines: list[tuple[bool, list[str]]],
                per_item: bool) -> Iterator[tuple[str, Any]]:
    """The report after its title as the blocks a page shows, in order: ("table", merged rows) for each run
    of table lines (each 第二十条 item a table of its own when `per_item`), ("signature", text) for the
    closing organisation and date, ("text", text) for every other line. Shared by the HTML and PDF renderers."""
    signature = len(lines) - 2 if r.published_on else len(lines)
    run: list[list[str]] = []
    for k, (is_table, cells) in enumerate([*lines[1:], (False, [])], start=1):
        if is_table and not (per_item and run and cells[0].startswith("第二十条")):
            run.append(cells)
            continue
        if run:
            yield "table", _merges(run, r.template)
            run = [cells] if is_table else []
            if is_table:
                continue
        if not cells:
            return
        yield ("signature" if k >= signature else "text"), cells[0]


def render_html(r: SynthReport, lines: list[tuple[bool, list[str]]], rng: random.Random) -> str:
    """The report as a page of a government site, in r.encoding (declared in its <meta>).

    Page furniture around the article (navigation, breadcrumbs, a sidebar of other years' reports, the
    footer) is what the HTML reader must leave out; prose is <p>/<h2>, every table a <table> with one
    <tr> per line of `lines` and the official forms' merged cells.
    """
    page = _Page(rng, word=rng.random() < 0.5, nbsp=rng.random() < 0.5)
    title = lines[0][1][0]
    site = r.organization if r.organization.endswith("人民政府") else f"{r.organization}人民政府"
    charset = rng.choice(_HTML_CHARSETS[r.encoding])
    meta = (f'<meta charset="{charset}">' if rng.random() < 0.5
            else f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">')
    out = [
        "<!DOCTYPE html>", "<html>", "<head>", meta, f"<title>{escape(title)}_{escape(site)}</title>",
        '<script type="text/javascript">var _hmt = _hmt || [];</script>', "<style>.nav li { float: left; }</style>",
        "</head>", "<body>",
        f'<div class="header"><div class="banner">{escape(site)} · 政务公开</div>',
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
        '<li><a href="/zwgk/ndbg/">政府信息公开年报</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div>',
        '<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>', '<div class="main">',
    ]
    if rng.random() < 0.5:
        others = (f'<li><a href="/zwgk/ndbg/{y}.html">{escape(r.organization)}{y}年政府信息公开工作年度报告</a></li>'
                  for y in range(r.report_year - 1, r.report_year - 4, -1))
        out.append(f'<div class="sidebar"><h3>相关报告</h3><ul>{"".join(others)}</ul></div>')
    out.append('<div class="article">')
    out.append(rng.choice((f"<h1>{escape(title)}</h1>", f'<div class="title" align="center">{escape(title)}</div>',
                           f"<p align=center><b>{escape(title)}</b></p>")))
    per_item = rng.random() < 0.5  # each 第二十条 item its own <table>, or section 二 one table
    for kind, block in body_blocks(r, lines, per_item):
        if kind == "table":
            out += page.table(block)
        elif kind == "signature":
            out.append(f'<p style="text-align:right">{escape(block, quote=False)}</p>')
        elif _ORDINAL.match(block):
            out.append(page.heading(block))
        else:
            out.append(f"<p>{escape(block, quote=False)}</p>")
    out += [
        "</div>", "</div>",
        f'<div class="footer">版权所有：{escape(site)}　网站标识码：{rng.randint(10**9, 10**10 - 1)}</div>',
        "</body>", "</html>",
    ]
    return "\n".join(out) + "\n"


def make_report(i: int, rng: random.Random, defect_rate: float = 0.1,
                layouts: tuple[str, ...] = LAYOUTS) -> tuple[SynthReport, bytes]:
    """Report number i of a corpus: random template, layout (a text layout, RUN_TOGETHER, HTML or one of
    REAL_LAYOUTS), encoding, values and maybe a defect."""
    template = rng.choice(("2019", "2021"))
    layout = rng.choice(layouts)
    if layout in REAL_LAYOUTS:
        return make_real_like(i, rng, layout, defect_rate)
    encoding = rng.choice(ENCODINGS)
    org = rng.choice(_COUNTIES) + rng.choice(_TOWNS) + rng.choice(("人民政府", ""))
    year = rng.randint(2019, 2025)
    published = f"{year + 1}-01-{rng.randint(10, 31)}" if rng.random() < 0.5 else None
    values = make_values(template, rng)
    ext = {HTML: "html", PDF: "pdf"}.get(layout, "txt")
    r = SynthReport(f"{i:07d}_{template}_{layout}.{ext}", template, layout, encoding, org, year, published, values)
    blank = ""
    if rng.random() < defect_rate:
        defect = rng.choice(("blank_cells", "broken_identity", "lost_labels"))
        if defect == "blank_cells":
            # placeholders are positional in every layout; a page can leave the cell empty
            blank = rng.choice(("-", "/", "无", "") if layout in (HTML, PDF) else ("-", "/", "无"))
            for key in rng.sample(sorted(k for k in values if k[0] == "applications" and k[2] != "total"), 3):
                values[key] = None
        elif defect == "broken_identity":
            key = ("applications", "total", "natural_person")
            values[key] = int(values[key] or 0) + 1
        elif layout == "block":
            r.lost_labels = True
        r.defects.append(defect if defect != "lost_labels" or r.lost_labels else "none")
    lines = document(r, rng, blank)
    if layout == PDF:
        from synthetic.pdf import render_pdf  # reportlab: a dev dependency

        r.encoding = "pdf-text"
        return r, render_pdf(r, lines, rng)
    text = render_html(r, lines, rng) if layout == HTML else render(lines, layout)
    return r, text.encode(encoding)


def report_rng(seed: int, i: int, purpose: str = "report") -> random.Random:
    """The random source of report i: its own, so any range of a corpus can be made alone (in parallel)."""
    return random.Random(f"{purpose}:{seed}:{i}")


def make_real_like(i: int, rng: random.Random, layout: str | None = None,
                   defect_rate: float = 0.1) -> tuple[SynthReport, bytes]:
    """Report number i in a layout of REAL_LAYOUTS (drawn when None), or in a text layout of LAYOUTS /
    RUN_TOGETHER with the real-file traits that layout can show (see synthetic.realistic)."""
    from synthetic.realistic import make_real_like as make  # it builds on this module

    return make(i, rng, layout, defect_rate)


def corpus(n: int, seed: int = 0, defect_rate: float = 0.1, layouts: tuple[str, ...] = LAYOUTS, start: int = 0,
           real_share: float = 0.0) -> Iterator[tuple[SynthReport, bytes]]:
    """Reports start … n-1 of the corpus of this seed (the same reports whatever `start` is).

    With `real_share`, that share of the reports (drawn per report from a source of its own, so every other
    report is the one the corpus has without it) is real-like, in one of REAL_LAYOUTS.
    """
    for i in range(start, n):
        if real_share and report_rng(seed, i, "real-like").random() < real_share:
            yield make_real_like(i, report_rng(seed, i), None, defect_rate)
        else:
            yield make_report(i, report_rng(seed, i), defect_rate, layouts)
