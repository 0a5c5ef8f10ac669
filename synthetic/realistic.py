"""Generated reports that look like real files (spec §14–§15, issue 13 point 6), each with its exact truth.

The layouts of synthetic.corpus all parse exactly, while real files break the parser. This module renders
what real files do: a crawler's text of the page on one line (CRAWLED_PAGE), a PDF converted to markdown
with wrapped labels and page breaks inside tables (PDF_MARKDOWN), a CMS export of <p> and <table> only
(HTML_FRAGMENT), a page inside 100–400 K characters of site chrome (HTML_CHROME), and the traits a text
layout of synthetic.corpus can show (heading variants, a number broken inside its cell).

Every report is built once as blocks (texts and tables whose value cells carry their truth key) and then
rendered; the traits are drawn from the report's own random source and listed in `SynthReport.traits`
(the names of TRAITS). The truth is what the report means: the printed value, None for a blank (printed
empty or, in crawled text, missing), and nothing at all for a row the report does not print.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from html import escape

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
from synthetic.corpus import (
    CRAWLED_PAGE,
    ENCODINGS,
    HTML_CHROME,
    HTML_FRAGMENT,
    LAYOUTS,
    PDF_MARKDOWN,
    REAL_LAYOUTS,
    RUN_TOGETHER,
    Key,
    SynthReport,
    _merges,
    _Page,
    document,
    render,
    render_html,
)

Values = dict[Key, int | float | None]

# Traits every real-like layout can draw: headings and sections, rows and labels as real reports print them.
_SHARED = (
    "heading_variants", "heading_missing", "heading_table_title", "sections_renamed", "prose_after_table",
    "fee_table", "regulations_absent", "normative_label_2019", "label_typos", "hybrid",
)
_HEADINGS = ("heading_variants", "heading_missing", "heading_table_title", "sections_renamed")
TRAITS: dict[str, tuple[str, ...]] = {
    CRAWLED_PAGE: (
        *_SHARED, "breadcrumb", "css_junk", "title_space", "cells_glued", "cells_spaced", "cells_mixed",
        "ideographic_space", "spaced_headers", "prose_glued", "rowspan_other", "broken_number", "cc_line",
        "attachment",
    ),
    PDF_MARKDOWN: (
        *_SHARED, "markdown_headings", "wrapped_labels", "title_split", "page_break_in_table", "header_repeated",
        "row_split_across_pages", "review_header_next_page", "header_year_word", "prose_wrapped",
    ),
    HTML_FRAGMENT: (*_SHARED, "strong_headings", "word_cells", "no_title", "gb18030"),
    HTML_CHROME: ("site_chrome",),
}
# The text layouts of synthetic.corpus keep their own rendering; these are the traits they can show.
BROKEN_NUMBER_LAYOUTS = ("pipe", "pipe_trailing", "tab", "markdown")  # a cell delimiter keeps `1 62` one cell
for _layout in (*LAYOUTS, RUN_TOGETHER):
    TRAITS[_layout] = (*_HEADINGS, "broken_number") if _layout in BROKEN_NUMBER_LAYOUTS else _HEADINGS

# How often each real layout is drawn when none is asked for: a chrome page is 20–60 times a report's size.
_LAYOUT_WEIGHTS = {CRAWLED_PAGE: 35, PDF_MARKDOWN: 30, HTML_FRAGMENT: 25, HTML_CHROME: 10}

_AREAS = ("平潭综合实验区", "济源市", "湘乡市", "宁乡市", "黄陂区", "北票市", "浈江区", "")
_BODIES = ("财政金融局", "公安局", "市场监督管理局", "自然资源局", "综合执法与应急管理局", "君山片区管理局",
           "教育局", "卫生健康委员会", "人力资源和社会保障局", "城关镇人民政府", "花坪镇人民政府")
_PROVINCES = ("福建省", "湖南省", "河南省", "湖北省", "辽宁省", "广东省")

_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
_REVIEW_HEAD = (
    ["行政复议", "行政诉讼"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"],
    ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
)
_CSS_JUNK = (
    'Normal 0 7.8 磅 0 2 false false false EN-US ZH-CN X-NONE /* Style Definitions */ table.MsoNormalTable '
    '{mso-style-name:普通表格; mso-tstyle-rowband-size:0; mso-tstyle-colband-size:0; mso-style-noshow:yes; '
    'mso-style-priority:99; mso-style-parent:""; mso-padding-alt:0cm 5.4pt 0cm 5.4pt; mso-para-margin:0cm; '
    'mso-para-margin-bottom:.0001pt; mso-pagination:widow-orphan; font-size:10.0pt; '
    'font-family:"Times New Roman","serif";}'
)
_SHARE_BUTTONS = "--> 微信 微博 QQ空间 全真版 文字版 文件下载 相关链接："


# ---------------------------------------------------------------------------------------------
# Values: realistic, often non-zero (all-zero tables hide splitting bugs)
# ---------------------------------------------------------------------------------------------


def _measure_value(kind: str, row: str, rng: random.Random) -> int | float:
    if kind == "signed_count":
        return rng.choice((0, 0, rng.randint(1, 12), -rng.randint(1, 6), rng.randint(20, 200)))
    if kind == "money_yuan":
        return rng.choice((0.0, float(rng.randint(10_000, 9_000_000)), rng.randint(100_000, 900_000_000) / 100))
    if kind == "money_wan_yuan":
        return rng.choice((0.0, 0.0, rng.randint(1, 30_000) / 100, rng.randint(1, 3_000_000) / 10_000,
                           rng.randint(1, 9_000_000) / 10**6))
    if row == "regulations":  # a county body makes no 规章
        return 0 if rng.random() < 0.85 else rng.randint(1, 3)
    return rng.choice((0, 0, rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 1500)))


_ROW_WEIGHT = {
    "granted": 30, "partially_granted": 12, "denied_enforcement_file": 3, "denied_process_info": 2,
    "denied_third_party_rights": 2, "unable_no_info": 15, "unable_need_creation": 4, "unable_unclear": 3,
    "not_processed_complaint": 4, "not_processed_repeat": 3, "other_processing": 6,
    "other_overdue_correction": 3, "other_overdue_fee": 1, "other_other": 3,
}
_COLUMN_WEIGHT = (85, 6, 1, 1, 2, 5)  # natural persons file most applications


def real_values(sec2: str, sec3: str, rng: random.Random, *, apps_at_least: int = 0,
                quiet_other: bool = False) -> Values:
    """Values of a report whose section 二 is in template sec2 and section 三 in sec3, satisfying A1–A3 and
    R1–R3. `quiet_other`: no application ends in （六） (a page may then merge its rows, trait rowspan_other)."""
    values: Values = {}
    for key, table in DISCLOSURE_TABLES.items():
        for item in table.rows.get(sec2, ()):
            for m in table.measures[sec2]:
                values[(key, item.key, m.key)] = _measure_value(m.kind, item.key, rng)
    app = "applications"
    outcomes = OUTCOME_ROWS[sec3]
    weights = [0 if quiet_other and r.startswith("other_") else _ROW_WEIGHT.get(r, 1) for r in outcomes]
    n = max(apps_at_least, rng.choice((0, 0, 1, 1, 2, 3, 4, 5, 8, 12, 21, 37, 160)))
    counts = {(r, c): 0 for r in outcomes for c in APPLICANT_COLUMNS}
    for _ in range(n):
        counts[(rng.choices(outcomes, weights)[0], rng.choices(APPLICANT_COLUMNS, _COLUMN_WEIGHT)[0])] += 1
    for (r, c), v in counts.items():
        values[(app, r, c)] = v
    for c in APPLICANT_COLUMNS:
        total = sum(counts[(r, c)] for r in outcomes)  # A2
        forward = rng.choice((0, 0, 1, 2)) if total and rng.random() < 0.5 else 0
        over = rng.randint(0, min(3, total + forward))
        values[(app, "total", c)] = total
        values[(app, "carried_forward", c)] = forward
        values[(app, "carried_over", c)] = over
        values[(app, "new_received", c)] = total + forward - over  # A1
    for row in APPLICATION_ROWS[sec3]:
        values[(app, row.key, "total")] = sum(values[(app, row.key, c)] for c in APPLICANT_COLUMNS)  # A3
    for block in range(3):
        parts = [0, 0, 0, 0]
        if rng.random() < (0.3 if block == 0 else 0.1):
            for _ in range(rng.choice((1, 1, 2, 3, 10))):
                parts[rng.choices(range(4), (5, 2, 2, 1))[0]] += 1
        for col, v in zip(REVIEW_COLUMNS[block * 5:(block + 1) * 5], [*parts, sum(parts)], strict=True):
            values[("review_litigation", REVIEW_ROW, col)] = v  # R1–R3
    return values


def _cell_text(value: int | float | None, column: str, rng: random.Random) -> str:
    """A value as real reports print it: 元 typed into amounts or not, `+3`, up to six decimals in 万元."""
    if value is None:
        return ""
    if column == "procurement_amount":
        if float(value).is_integer():
            return rng.choice((f"{int(value)}元", f"{int(value)}", f"{value:.2f}元"))
        return f"{value:.2f}" + rng.choice(("元", "元", ""))
    if column == "items_change" and isinstance(value, int) and value > 0 and rng.random() < 0.5:
        return f"+{value}"
    if isinstance(value, float):
        return f"{value:f}".rstrip("0").rstrip(".")
    return str(value)


# ---------------------------------------------------------------------------------------------
# The report as blocks
# ---------------------------------------------------------------------------------------------


@dataclass
class Row:
    """One table row: its label cells, its value cells and the truth key of each value cell."""

    labels: list[str]
    cells: list[str] = field(default_factory=list)
    keys: list[Key | None] = field(default_factory=list)  # None: a value that is not in the truth (fee table)
    kind: str = "data"  # title | header | data | labels (a row printed without its merged value cells)
    spans: list[int] = field(default_factory=list)  # rowspan of each label (applications)
    join: str | None = None  # a crawled row's cell joining forced by a trait (broken_number: spaced)


@dataclass
class Table:
    key: str  # art20_1 … | applications | review_litigation | fee (the extra table of section 六)
    rows: list[Row]


@dataclass
class Text:
    text: str
    kind: str  # title | heading | prose | sign | filler (where HTML_FRAGMENT lengthens the overview)


Block = Table | Text


def _has(r: SynthReport, trait: str) -> bool:
    return trait in r.traits


def _draw(r: SynthReport, rng: random.Random, trait: str, p: float) -> bool:
    """Draw a trait with probability p (always drawing, so later draws do not depend on earlier outcomes)."""
    hit = rng.random() < p
    if hit:
        r.traits.append(trait)
    return hit


def _headings(r: SynthReport, rng: random.Random) -> dict[str, str | None]:
    """Section headings, the official ones or the variants of spec §10.2/§15 (None: no heading at all)."""
    h: dict[str, str | None] = {
        "overview": "一、总体情况", "disclosure": "二、主动公开政府信息情况",
        "applications": "三、收到和处理政府信息公开申请情况", "review": "四、政府信息公开行政复议、行政诉讼情况",
        "problems": "五、存在的主要问题及改进情况", "improve": None, "other": "六、其他需要报告的事项",
    }
    if _draw(r, rng, "heading_variants", 0.5):
        options: dict[str, tuple[str | None, ...]] = {
            "disclosure": ("二、主动公开政府信息情况", "二、主动公开政府信息", "表二：主动公开政府信息情况", None),
            "applications": ("三、收到和处理政府信息公开申请情况", "表三：收到和处理政府信息公开申请情况", None),
            "review": ("四、政府信息公开行政复议、行政诉讼情况",
                       "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
                       "表四：政府信息公开行政复议、行政诉讼情况", None),
            "problems": ("五、存在的主要问题及改进情况", "五、存在的主要问题及改进措施"),
        }
        for name, texts in options.items():
            h[name] = rng.choice(texts)
        if any(h[n] is None for n in options) and "heading_missing" not in r.traits:
            r.traits.append("heading_missing")
        if any((h[n] or "").startswith("表") for n in options):
            r.traits.append("heading_table_title")
    if _draw(r, rng, "sections_renamed", 0.15):
        h.update(overview="一、年度工作核心成效", problems="五、当前存在的突出问题", improve="六、下一步改进举措",
                 other="七、其他需说明事项")
    return h


def _labels(r: SynthReport, rng: random.Random, sec2: str, sec3: str) -> dict[str, str]:
    """Row and header labels that differ from the official ones in this report (typos seen in real files)."""
    out: dict[str, str] = {}
    if sec2 == "2021" and _draw(r, rng, "normative_label_2019", 0.2):
        out["normative_documents"] = "规范性文件"
    if _draw(r, rng, "label_typos", 0.3):
        typos = [("denied_enforcement_file", "7.属于行政执法案件"),
                 ("denied_law_forbidden", "2.其他法律和行政法规禁止公开")]
        if sec3 == "2021":
            typos.append(("other_accept", ""))  # 不再受理 for 不再处理 in （六）1 and 2
        if sec2 == "2021":
            typos.append(("repealed", "本年废纸件数"))
        for key, text in rng.sample(typos, rng.randint(1, len(typos))):
            out[key] = text
    return out


def _disclosure(r: SynthReport, rng: random.Random, sec2: str, labels: dict[str, str]) -> list[Table]:
    tables = []
    for key, table in DISCLOSURE_TABLES.items():
        if sec2 not in table.rows:
            continue
        measures = table.measures[sec2]
        rows = [Row([f"第二十条第（{table.item}）项"], kind="title"),
                Row(["信息内容", *(labels.get(m.key, m.label) for m in measures)], kind="header")]
        for item in table.rows[sec2]:
            if item.key == "regulations" and _has(r, "regulations_absent"):
                continue
            keys: list[Key | None] = [(key, item.key, m.key) for m in measures]
            cells = [_cell_text(r.values[k], k[2], rng) for k in keys if k]
            rows.append(Row([labels.get(item.key, item.label)], cells, keys))
        tables.append(Table(key, rows))
    return tables


def _applications(r: SynthReport, rng: random.Random, sec3: str, labels: dict[str, str], note: str) -> Table:
    rows = [Row([note, "申请人情况"], kind="header"), Row(["自然人", "法人或其他组织", "总计"], kind="header"),
            Row(["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"], kind="header")]
    group_first = {g.rows[0]: g for g in APPLICATION_GROUPS[sec3]}
    for row in APPLICATION_ROWS[sec3]:
        label = labels.get(row.key, row.label)
        if "other_accept" in labels and row.key in ("other_overdue_correction", "other_overdue_fee"):
            label = label.replace("不再处理", "不再受理")
        names, spans = [label], [1]
        if row.key in group_first:
            names, spans = [group_first[row.key].label, *names], [len(group_first[row.key].rows), *spans]
        if row.key == "granted":
            names, spans = ["三、本年度办理结果", *names], [len(OUTCOME_ROWS[sec3]) + 1, *spans]
        keys: list[Key | None] = [("applications", row.key, c) for c in APPLICATION_COLUMNS]
        cells = [_cell_text(r.values[k], k[2], rng) for k in keys if k]
        if _has(r, "rowspan_other") and row.key in ("other_overdue_fee", "other_other"):
            rows.append(Row(names, kind="labels", spans=spans))  # the page had rowspan=3 on （六）1's cells
        else:
            rows.append(Row(names, cells, keys, spans=spans))
    return Table("applications", rows)


def _review(r: SynthReport, rng: random.Random) -> Table:
    keys: list[Key | None] = [("review_litigation", REVIEW_ROW, c) for c in REVIEW_COLUMNS]
    cells = [_cell_text(r.values[k], k[2], rng) for k in keys if k]
    return Table("review_litigation", [*(Row(list(h), kind="header") for h in _REVIEW_HEAD), Row([], cells, keys)])


def _fee_table(rng: random.Random) -> Table:
    """Section 六's 信息处理费 table of some 2021-format reports: its cells are not in the truth."""
    n = rng.choice((0, 1, 1, 2))
    amount = n * rng.choice((0, 100, 400, 800))
    cells = [str(n), str(amount), str(rng.choice((0, amount)))]
    return Table("fee", [Row(["", "通知收取件数", "通知收取金额（元）", "实际收取金额（元）"], kind="header"),
                         Row(["信息处理费收取情况"], cells, [None, None, None])])


# Prose: numbers everywhere (statistics period, phone numbers, counts), and section names without ordinals.
def _preamble(r: SynthReport, rng: random.Random, period: bool) -> str:
    y = r.report_year
    unit = "局" if r.organization.endswith("局") else "单位"
    parts = [rng.choice((
        f"根据《中华人民共和国政府信息公开条例》（以下简称《条例》）、《{rng.choice(_PROVINCES)}政府信息公开办法》要求，"
        f"结合我{unit}工作实际，编制完成本报告。",
        "根据《中华人民共和国政府信息公开条例》（国务院令第711号，以下简称《条例》）及政府信息公开工作相关文件要求，"
        "现编制完成本报告。",
    ))]
    if rng.random() < 0.7:
        review = rng.choice(("政府信息公开行政复议、行政诉讼情况", "因政府信息公开申请行政复议、提起行政诉讼的情况"))
        parts.append(f"本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、{review}、"
                     "存在的主要问题及改进情况和其他需要报告的事项等六个部分。")
    if period:
        parts.append(rng.choice((f"本报告所列数据的统计期限自{y}年1月1日起至{y}年12月31日止。",
                                 f"数据统计周期为{y}年1月1日至{y}年12月31日。")))
    phone = f"0{rng.randint(310, 999)}-{rng.randint(20000000, 89999999)}"
    parts.append(f"如对本报告有任何疑问，请与{r.organization}办公室联系（地址：{rng.choice(_AREAS) or '城区'}"
                 f"{rng.choice(('国昌路', '金井湾大道', '人民路', '中山路'))}{rng.randint(1, 200)}号；"
                 f"邮编：{rng.randint(100000, 859999)}；电话：{phone}；传真：{phone[:-2]}{rng.randint(10, 99)}）。")
    return "".join(parts)


def _overview(r: SynthReport, rng: random.Random) -> list[str]:
    y, v = r.report_year, r.values
    received = v.get(("applications", "new_received", "total")) or 0
    published = rng.randint(40, 1200)
    paras = [
        f"{y}年，我单位坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》，"
        f"全年主动公开政府信息{published}条，全文电子化率100%。",
        f"（一）主动公开方面。全年主动公开信息{published}条，其中机关职能类信息{rng.randint(1, 40)}条，"
        f"财政预决算类信息{rng.randint(1, 9)}条，其他应主动公开的政府信息{rng.randint(1, 40)}条。",
        f"（二）依申请公开方面。{y}年共受理政府信息公开申请{received}件，均在法定期限内答复。",
        f"（三）政府信息管理方面。发布调查问卷{rng.randint(1, 9)}次、意见征集{rng.randint(1, 9)}次，"
        f"每月{rng.randint(1, 28)}日向档案馆、图书馆移送主动公开信息。",
        f"（四）监督保障方面。修订完善政府信息公开工作制度{rng.randint(2, 8)}项，组织业务培训{rng.randint(1, 6)}次。",
    ]
    return paras[: rng.randint(2, len(paras))]


_WORK = (
    ("加强组织领导", "明确分管领导和专职工作人员，将政务公开工作纳入年度绩效考核"),
    ("完善工作机制", "健全信息发布保密审查制度，坚持“先审查、后公开”和“一事一审”原则"),
    ("拓宽公开渠道", "依托门户网站、政务新媒体和政务公开栏，及时发布与群众切身利益相关的信息"),
    ("强化政策解读", "坚持政策文件与解读材料同步组织、同步审签、同步发布，采用图文、视频等形式解读"),
    ("回应社会关切", "通过12345便民服务平台和政务新媒体及时回应群众咨询和诉求"),
    ("规范依申请公开", "严格登记、审核、办理、答复、归档等环节，确保在法定期限内答复"),
    ("推进重点领域公开", "围绕财政预决算、行政执法、民生保障等重点领域做好信息公开"),
    ("加强平台建设", "做好网站日常维护和栏目梳理，对长期未更新的栏目进行整合"),
)


def _work_paragraph(r: SynthReport, rng: random.Random) -> str:
    """One paragraph of the overview, as long as real ones (a CMS export has several KB before its tables)."""
    picks = rng.sample(_WORK, rng.randint(2, 4))
    ordinals = "一二三四"
    text = "".join(f"{ordinals[k]}是{head}。{body}，" + rng.choice((
        f"全年共{rng.choice(('发布', '更新', '整改', '办理'))}相关信息{rng.randint(2, 400)}条。",
        f"累计开展专项检查{rng.randint(1, 12)}次。", "取得了较好成效。",
        f"{r.report_year}年{rng.randint(1, 12)}月起实行。")) for k, (head, body) in enumerate(picks))
    return rng.choice(("（五）", "", "同时，", "此外，")) + text


def _prose_after(r: SynthReport, rng: random.Random, glued_year: bool) -> str:
    y = r.report_year
    tail = rng.choice((f"多渠道主动公开政府信息{rng.randint(30, 600)}条，回应社会关切。",
                       "所有申请均在法定答复期限内办结，答复率和办结率均为100%。",
                       "有效防范了相关法律风险，未发生因政府信息公开工作引发的行政诉讼案件。"))
    return (f"{y}年，我局严格按照《条例》规定，" if glued_year else "我局严格按照《条例》规定，") + tail


def _blocks(r: SynthReport, rng: random.Random, sec2: str, sec3: str, layout: str) -> list[Block]:
    """The report in reading order. Draws the traits that change what is printed (not how)."""
    headings = _headings(r, rng)
    labels = _labels(r, rng, sec2, sec3)
    note = _NOTE if layout == HTML_FRAGMENT or rng.random() < 0.8 else f"({_NOTE[1:-1]})"  # half-width (068)
    after = {name for name in ("disclosure", "applications", "review") if rng.random() < 0.5}
    # prose between a table and the next heading: after section 二's tables it comes before heading 三 …
    if not _draw(r, rng, "prose_after_table", 0.35):
        after = set()
    elif not after:
        after = {"applications"}
    glued_year = layout == CRAWLED_PAGE and _draw(r, rng, "prose_glued", 0.6) if after else False
    fee = _draw(r, rng, "fee_table", 0.15)
    title = f"{r.organization}{' ' if _has(r, 'title_space') else ''}{r.report_year}" + rng.choice(
        ("年度政府信息公开工作年度报告", "年政府信息公开工作年度报告"))
    blocks: list[Block] = [Text(title, "title"), Text(_preamble(r, rng, period=True), "prose")]

    def heading(name: str) -> None:
        if headings[name]:
            blocks.append(Text(headings[name], "heading"))

    heading("overview")
    blocks += [Text(p, "prose") for p in _overview(r, rng)]
    blocks.append(Text("", "filler"))  # where a long overview goes on (HTML_FRAGMENT: past byte 4096)
    heading("disclosure")
    if rng.random() < 0.3:
        share = f"{rng.randint(20, 95)}.{rng.randint(1, 9)}%"
        blocks.append(Text(f"（一）主动公开政府信息的数量{r.report_year}年制作、获取政府信息总数"
                           f"{rng.randint(100, 900)}条，主动公开的政府信息占{share}。", "prose"))
    blocks += _disclosure(r, rng, sec2, labels)
    for name, table in (("applications", _applications(r, rng, sec3, labels, note)), ("review", _review(r, rng))):
        if {"applications": "disclosure", "review": "applications"}[name] in after:
            blocks.append(Text(_prose_after(r, rng, glued_year), "prose"))
        heading(name)
        blocks.append(table)
    if "review" in after:
        blocks.append(Text(_prose_after(r, rng, glued_year), "prose"))
    heading("problems")
    blocks.append(Text("（一）存在的主要问题一是政策解读形式较为单一；二是信息发布的及时性有待提高。"
                       f"（二）改进措施{r.report_year + 1}年，我单位将进一步规范信息发布流程，加强业务培训。", "prose"))
    if headings["improve"]:
        heading("improve")
        blocks.append(Text("一是优化信息更新机制；二是加强队伍专业化建设；三是加强与公众的互动交流。", "prose"))
    heading("other")
    if fee:
        blocks.append(_fee_table(rng))
    blocks.append(Text(rng.choice((
        "按照《国务院办公厅关于印发〈政府信息公开信息处理费管理办法〉的通知》（国办函〔2020〕109号）规定的按件、按量收费标准，"
        "本年度没有产生信息公开处理费。",
        f"{r.report_year}年，无收取信息处理费情况。", "无。")), "prose"))
    if r.published_on:
        y, m, d = (int(x) for x in r.published_on.split("-"))
        blocks += [Text(r.organization, "sign"), Text(f"{y}年{m}月{d}日", "sign")]
    return blocks


def _tables(blocks: list[Block]) -> list[Table]:
    return [b for b in blocks if isinstance(b, Table)]


def _break_a_number(r: SynthReport, rng: random.Random, tables: list[Table]) -> None:
    """Trait broken_number: one multi-digit value of an application row or the review row printed `1 62`."""
    spots = [(row, k) for t in tables if t.key in ("applications", "review_litigation") for row in t.rows
             if row.kind == "data" for k, c in enumerate(row.cells) if c.isdigit() and len(c) >= 2]
    if not spots:
        return
    row, k = rng.choice(spots)
    cut = rng.randint(1, len(row.cells[k]) - 1)
    row.cells[k] = f"{row.cells[k][:cut]} {row.cells[k][cut:]}"
    row.join = "spaced"
    r.traits.append("broken_number")
    r.detail["broken_number"] = (row.cells[k], row.keys[k] if row.keys else None)


# ---------------------------------------------------------------------------------------------
# CRAWLED_PAGE: the crawler's header block, then the whole page on one line
# ---------------------------------------------------------------------------------------------


def _spread(text: str, rng: random.Random) -> str:
    """A header label as a narrow cell wraps it: `自 然 人`, `商业 企业`, `（三） 不予 公开`."""
    if len(text) < 2 or rng.random() < 0.4:
        return text
    if len(text) <= 3:
        return " ".join(text)
    cut = rng.randint(1, len(text) - 1)
    return f"{text[:cut]} {text[cut:]}"


def _crawled_table(t: Table, r: SynthReport, rng: random.Random, style: str) -> str:
    spaced_head = _has(r, "spaced_headers")

    def gap(mode: str) -> str:
        if mode == "glued" or (mode == "irregular" and rng.random() < 0.5):
            return ""
        return "\u3000" if _has(r, "ideographic_space") and rng.random() < 0.3 else " "

    parts = []
    for row in t.rows:
        if row.kind in ("title", "header"):
            texts = [_spread(x, rng) if spaced_head and len(x) <= 8 else x for x in row.labels if x]
            parts.append((" " if spaced_head else "").join(texts))
            continue
        names = [_spread(x, rng) if spaced_head and k < len(row.labels) - 1 and x.startswith("（") else x
                 for k, x in enumerate(row.labels)]  # group labels wrap in their narrow merged cell
        mode = row.join or (rng.choice(("glued", "spaced", "irregular")) if style == "mixed" else style)
        cells = [c for c in row.cells if c]  # a blank cell leaves nothing in crawled text
        values = "".join((gap(mode) if k else "") + c for k, c in enumerate(cells))
        label = (" " if spaced_head else "").join(names)
        lead = "" if not label or not values or mode == "glued" else rng.choice(("", " "))
        parts.append(label + lead + values)
    row_gap = {"glued": "", "spaced": " "}.get(style)
    return "".join((rng.choice(("", " ")) if row_gap is None else row_gap) + p if k else p
                   for k, p in enumerate(parts))


def render_crawled(r: SynthReport, blocks: list[Block], rng: random.Random) -> str:
    """A crawler's text of the report page: header block, marker, and the body on one line (no newline)."""
    style = next(s for s in ("glued", "spaced", "mixed") if _has(r, f"cells_{s}"))
    title = next(b.text for b in blocks if isinstance(b, Text) and b.kind == "title")
    y1 = r.report_year + 1
    day = int(r.published_on[-2:]) if r.published_on else rng.randint(5, 28)
    when = f"{y1}-01-{day:02d} {rng.randint(8, 17):02d}:{rng.randint(0, 59):02d}"
    page_id = rng.randint(60000, 120000)
    path = f"zwgk/zfxxgk/dfbmptlj/bm{rng.randint(10, 99)}/zfxxgknb/{y1}01"
    header = [
        f"标题: {title}", f"发布时间: {when}", "文号: ",
        f"发布机构: {rng.choice((r.organization, '', '办公室', '行政科'))}", "栏目: 政府信息公开年报",
        f"原文链接: https://www.{rng.choice(('pingtan', 'jiyuan', 'xiangxiang', 'ningxiang'))}.gov.cn/{path}/"
        f"t{y1}01{day:02d}_{page_id}.htm",
        f"本地目录: {path}/{page_id}_{title}", "页面链接与图片详见 links.tsv(同目录)",
        "==================== 正文 ====================",
    ]
    body: list[str] = []
    if _has(r, "breadcrumb"):
        body.append(f"当前位置： 首页政务公开政府信息公开{r.organization}政府信息公开年报 {title} 来源： "
                    f"时间：{when} {_SHARE_BUTTONS} ")
    if _has(r, "css_junk"):
        body.append(_CSS_JUNK + " ")
    previous: Block | None = None
    for b in blocks:
        if isinstance(b, Text) and b.kind == "filler":
            continue
        if isinstance(b, Text) and b.kind == "title":
            if not _has(r, "breadcrumb") and rng.random() < 0.5:
                body.append(b.text + " ")
            continue
        text = _crawled_table(b, r, rng, style) if isinstance(b, Table) else b.text
        if isinstance(b, Text) and b.kind == "sign":
            sep = " "
        elif isinstance(previous, Table) and isinstance(b, Text) and b.kind == "prose" and _has(r, "prose_glued"):
            sep = ""  # `行政事业性收费02025年，我局…`
        else:
            sep = rng.choice(("", "", " ")) if style != "spaced" else rng.choice(("", " ", " "))
        body.append(sep + text if body else text)
        previous = b
    if _has(r, "cc_line"):
        date = f"{y1}年1月{day}日"
        body.append(f"抄送：驻{r.organization}纪检监察组。 {r.organization}办公室 {date}印发")
    if _has(r, "css_junk") and rng.random() < 0.5:
        body.append(" " + _CSS_JUNK)
    if _has(r, "attachment"):
        body.append(" 附件下载")
    return "\n".join(header) + "\n" + "".join(body).replace("\n", " ")


# ---------------------------------------------------------------------------------------------
# PDF_MARKDOWN: tables as markdown, broken the way PDF extraction breaks them
# ---------------------------------------------------------------------------------------------

_Slot = tuple[str, Key | None]  # a grid cell: its text and, for a value cell, its truth key


def _grid(t: Table) -> tuple[list[list[_Slot]], int]:
    """The table as a full grid (a merged cell's text in its top-left slot) and its number of header rows."""
    if t.key == "applications":
        width = 3 + len(APPLICATION_COLUMNS)
        heads = [[t.rows[0].labels[0], "", "", t.rows[0].labels[1]],
                 ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
                 ["", "", "", "", *t.rows[2].labels, ""]]
        grid: list[list[_Slot]] = [[(x, None) for x in h] + [("", None)] * (width - len(h)) for h in heads]
        active: list[int] = []  # rows still covered by each rowspan label column
        for row in t.rows[3:]:
            slots: list[_Slot] = [("", None)] * 3
            for k, label in enumerate(row.labels):  # after the columns still covered from above
                slots[len(active) + k] = (label, None)
            active = [n - 1 for n in active if n > 1] + [s - 1 for s in row.spans[:-1]]
            values = list(zip(row.cells, row.keys, strict=True)) or [("", None)] * len(APPLICATION_COLUMNS)
            grid.append(slots + values)
        return grid, 3
    if t.key == "review_litigation":
        heads = [["行政复议", "", "", "", "", "行政诉讼", *[""] * 9],
                 [*_REVIEW_HEAD[1][:6], "", "", "", "", _REVIEW_HEAD[1][6], "", "", "", ""],
                 ["", "", "", "", "", *_REVIEW_HEAD[2]]]
        data = t.rows[3]
        return [[(x, None) for x in h] for h in heads] + [list(zip(data.cells, data.keys, strict=True))], 3
    width = max(len(row.labels) + len(row.cells) for row in t.rows)
    grid = []
    for row in t.rows:
        slots = [(x, None) for x in row.labels] + list(zip(row.cells, row.keys, strict=True))
        grid.append(slots + [("", None)] * (width - len(slots)))
    return grid, sum(1 for row in t.rows if row.kind in ("title", "header"))


def _wrap(text: str, width: int) -> list[str]:
    return [text[k:k + width] for k in range(0, len(text), width)] or [""]


def _wrap_row(slots: list[_Slot], widths: list[int], middle: bool, title_split: bool) -> list[list[_Slot]]:
    """One grid row as the PDF's text lines: long labels wrapped in their column, the other cells on the
    line the page centres them on (`middle`) or on the first."""
    frags: list[list[str]] = []
    for (text, key), w in zip(slots, widths, strict=True):
        if key is not None or not text:
            frags.append([text])
        elif title_split and text.startswith("第二十条第（"):
            frags.append(["第二十条第", "(", text[6:-2], ")", "项"])
        else:
            frags.append(_wrap(text, w))
    n = max(len(f) for f in frags)
    lines: list[list[_Slot]] = [[("", None)] * len(slots) for _ in range(n)]
    for j, f in enumerate(frags):
        top = (n - len(f) + 1) // 2 if middle else 0  # a value beside a two-line label: on the second line
        for k, piece in enumerate(f):
            lines[top + k][j] = (piece, slots[j][1])
    return lines


def _md(cells: list[_Slot]) -> str:
    return "| " + " | ".join(text for text, _ in cells) + " |"


class _Markdown:
    """The markdown being written, with its page count: footers go between pages, also inside tables."""

    def __init__(self, footer: str):
        self.footer = footer  # `- {} -`, `第 {} 页` …
        self.page = 1
        self.lines = 0  # lines on the current page
        self.out: list[str] = []

    def add(self, line: str) -> None:
        self.out.append(line)
        self.lines += 1

    def page_break(self) -> None:
        self.out += ["", self.footer.format(self.page), ""]
        self.page += 1
        self.lines = 0

    def table(self, lines: list[list[_Slot]], heads: int, breaks: set[int], repeat: bool) -> None:
        """A markdown table whose first `heads` lines are its header; at each index in `breaks` the page ends
        and a new markdown table begins (with the header lines again when `repeat`)."""
        width = len(lines[0])
        first = True
        for k, line in enumerate(lines):
            if k in breaks:
                if not first:
                    self.out.append("")
                self.page_break()
                first = True
                if repeat and heads <= k:
                    for h in lines[:heads]:
                        self.add(_md(h))
                        if first:
                            self.add("|" + "|".join(["---"] * width) + "|")
                            first = False
            self.add(_md(line))
            if first:
                self.add("|" + "|".join(["---"] * width) + "|")
                first = False
        self.out.append("")


def render_pdf_markdown(r: SynthReport, blocks: list[Block], rng: random.Random) -> str:
    """A PDF converted to markdown: headings plain or `## `, tables as markdown rows broken by the PDF."""
    md = _Markdown(rng.choice(("- {} -", "第 {} 页", "-{}-", "— {} —")))
    wrapped = _draw(r, rng, "wrapped_labels", 0.7)
    middle = rng.random() < 0.5
    title_split = _draw(r, rng, "title_split", 0.3)
    if _draw(r, rng, "header_year_word", 0.25):
        t = rng.choice([t for t in _tables(blocks) if t.key.startswith("art20_")])
        head = t.rows[1]
        k = rng.randint(1, len(head.labels) - 1)
        head.labels[k] += "（2019年起）"
    breaking = _draw(r, rng, "page_break_in_table", 0.7)
    repeat = breaking and _draw(r, rng, "header_repeated", 0.4)
    split_row = breaking and wrapped and rng.random() < 0.5
    review_next = _draw(r, rng, "review_header_next_page", 0.3)
    prose_wrap = _draw(r, rng, "prose_wrapped", 0.4)
    for b in blocks:
        if isinstance(b, Text):
            if b.kind == "filler":
                continue
            if b.kind == "heading":
                md.add(f"{'## ' if _has(r, 'markdown_headings') else ''}{b.text}")
            elif b.kind == "title":
                md.add(f"# {b.text}" if _has(r, "markdown_headings") else b.text)
            elif prose_wrap and b.kind == "prose":
                for piece in _wrap(b.text, rng.randint(30, 42)):
                    md.add(piece)
            else:
                md.add(b.text)
            md.out.append("")
            if md.lines > 40 and b.kind == "prose":  # a page of prose
                md.page_break()
            continue
        grid, heads = _grid(b)
        widths = [rng.randint(4, 7) for _ in grid[0]]
        if b.key == "applications":
            widths[:3] = [40, rng.randint(6, 12), rng.randint(8, 16)]  # merged group labels are not wrapped
        elif b.key != "review_litigation":
            widths[0] = rng.randint(5, 10)
        lines: list[list[_Slot]] = []
        starts: list[int] = []  # where each grid row's lines begin
        for k, slots in enumerate(grid):
            starts.append(len(lines))
            if wrapped or k < heads:
                lines += _wrap_row(slots, widths if wrapped else [99] * len(slots), middle, title_split)
            else:
                lines.append(slots)
        breaks: set[int] = set()
        if b.key == "applications" and breaking:
            inside = [n for k, s in enumerate(starts[heads + 1:], heads + 1)
                      for n in range(s + 1, starts[k + 1] if k + 1 < len(starts) else len(lines))]
            if split_row and inside:
                cut = rng.choice(inside)
                breaks.add(cut)
                r.traits.append("row_split_across_pages")
                row = max(k for k, s in enumerate(starts) if s < cut)
                values = next(n for n in range(starts[row], len(lines)) if any(key for _, key in lines[n]))
                where = "values_on_next_page" if values >= cut else "label_rest_on_next_page"
                r.detail["row_split_across_pages"] = where
            else:
                breaks.add(rng.choice(starts[heads + 1:]))
        if b.key == "review_litigation" and review_next:
            breaks.add(rng.choice((0, starts[heads])))
        md.table(lines, starts[heads], breaks, repeat)
        _check_placed(b, lines)
    return "\n".join(md.out) + "\n"


def _check_placed(t: Table, lines: list[list[_Slot]]) -> None:
    """Every printed value of the table is in the rendered lines exactly once, under its own key."""
    placed = [(key, text) for line in lines for text, key in line if key is not None and text]
    printed = [(key, text) for row in t.rows for text, key in zip(row.cells, row.keys, strict=True)
               if key is not None and text]
    if sorted(placed) != sorted(printed):
        raise AssertionError(f"{t.key}: rendered cells differ from the table's")


# ---------------------------------------------------------------------------------------------
# HTML_FRAGMENT and HTML_CHROME
# ---------------------------------------------------------------------------------------------


def _html_rows(t: Table) -> list[list[str]]:
    return [[*row.labels, *row.cells] for row in t.rows]


def render_fragment(r: SynthReport, blocks: list[Block], rng: random.Random, sec3: str) -> str:
    """A CMS export: <p> and <table> only, no <html>/<head>/<body>; the first <table> after byte 4096."""
    page = _Page(rng, word=_draw(r, rng, "word_cells", 0.3), nbsp=rng.random() < 0.5)
    strong = _draw(r, rng, "strong_headings", 0.6)
    indent = rng.choice(("", ' style="text-indent:2em"', ' style="text-indent:32.0pt;line-height:28pt"'))
    per_item = rng.random() < 0.6
    out: list[str] = []
    run: list[list[str]] = []

    def flush() -> None:
        if run:
            out.extend(page.table(_merges(run, sec3)))
            run.clear()

    for b in blocks:
        if isinstance(b, Table):
            if run and (per_item or not b.key.startswith("art20_")):
                flush()
            run.extend(_html_rows(b))
            continue
        flush()
        text = escape(b.text, quote=False)
        if b.kind == "filler":
            least = 4096 + rng.randint(200, 3000)
            while len("\n".join(out).encode(r.encoding)) < least:
                out.append(f"<p{indent}>{escape(_work_paragraph(r, rng), quote=False)}</p>")
        elif b.kind == "title":
            if not _has(r, "no_title"):
                out.append(f'<p style="text-align:center"><strong>{text}</strong></p>')
        elif b.kind == "heading":
            out.append(f"<p{indent}><strong>{text}</strong></p>" if strong else f"<p{indent}>{text}</p>")
        elif b.kind == "sign":
            out.append(f'<p style="text-align:right">{text}</p>')
        else:
            out.append(f"<p{indent}>{text}</p>")
    flush()
    return "\n".join(out) + "\n"


_NAV = ("首页", "政务公开", "政府信息公开", "政府信息公开指南", "政府信息公开制度", "法定主动公开内容",
        "政府信息公开年报", "依申请公开", "互动交流", "政务服务", "走进本地", "新闻中心", "通知公告", "政策解读",
        "领导信箱", "专题专栏")


def _chrome(r: SynthReport, rng: random.Random, size: int) -> tuple[str, str]:
    """Site chrome of about `size` characters: nav lists, scripts and sidebars (before, after the article)."""
    nav: list[str] = []
    related: list[str] = []
    scripts: list[str] = []
    n = 0
    while n < size:
        k = rng.randint(1000, 99999)
        kind = rng.choice((nav, related, scripts))
        if kind is nav:
            item = f'<li class="nav-item"><a href="/col/col{k}/index.html" target="_blank">{rng.choice(_NAV)}</a></li>'
        elif kind is related:
            item = (f'<li><a href="/art/{rng.randint(2015, 2025)}/{k}.html">{rng.choice(_AREAS)}{rng.choice(_BODIES)}'
                    f'{rng.randint(2015, 2025)}年政府信息公开工作年度报告</a><span>{rng.randint(2016, 2026)}-0'
                    f'{rng.randint(1, 9)}-{rng.randint(10, 28)}</span></li>')
        else:
            numbers = ", ".join(str(rng.randint(0, 999)) for _ in range(20))
            item = (f'<script type="text/javascript">var _cfg{k} = {{"siteId": {k}, "colId": {rng.randint(1, 9999)}, '
                    f'"items": [{numbers}], "name": "{rng.choice(_NAV)}"}};(function(){{var s=document.'
                    f"createElement('script');s.src='/js/stat.js?v={k}';}})();</script>")
        kind.append(item)
        n += len(item)
    half = len(scripts) // 2
    before = ['<div class="top-nav"><ul>', *nav, "</ul></div>", *scripts[:half]]
    after = ['<div class="sidebar related"><h3>相关信息</h3><ul>', *related, "</ul></div>", *scripts[half:]]
    return "\n".join(before), "\n".join(after)


def render_chrome(r: SynthReport, rng: random.Random, blank: str) -> str:
    """The HTML page of synthetic.corpus with 100–400 K characters of site chrome around the article."""
    page = render_html(r, document(r, rng, blank), rng)
    before, after = _chrome(r, rng, rng.randint(100_000, 400_000))
    page = page.replace('<div class="main">', f'{before}\n<div class="main">', 1)
    return page.replace("</body>", f"{after}\n</body>", 1)


# ---------------------------------------------------------------------------------------------
# The existing text layouts with real-file traits
# ---------------------------------------------------------------------------------------------

_CANONICAL = {
    "一、总体情况": "overview", "二、主动公开政府信息情况": "disclosure",
    "三、收到和处理政府信息公开申请情况": "applications", "四、政府信息公开行政复议、行政诉讼情况": "review",
    "五、存在的主要问题及改进情况": "problems", "六、其他需要报告的事项": "other",
}


def _text_layout(r: SynthReport, rng: random.Random, blank: str, broken: bool) -> str:
    """document() of synthetic.corpus with heading variants and maybe a broken number; then its layout."""
    headings = _headings(r, rng)
    lines: list[tuple[bool, list[str]]] = []
    for is_table, cells in document(r, rng, blank):
        name = None if is_table else _CANONICAL.get(cells[0])
        if name is None:
            lines.append((is_table, cells))
            continue
        if headings[name]:
            lines.append((False, [headings[name] or ""]))
        if name == "other" and headings["improve"]:  # the renamed report has a section more
            lines[-1:-1] = [(False, [headings["improve"]]), (False, ["一是优化信息更新机制；二是加强队伍建设。"])]
    if broken:  # the value cells of the application rows and of the review row
        width = len(APPLICATION_COLUMNS)
        spots = [(cells, Row([], cells[-width:])) for is_table, cells in lines
                 if is_table and len(cells) > width and all(c.isdigit() or not c for c in cells[-width:])]
        spots += [(cells, Row([], list(cells))) for is_table, cells in lines
                  if is_table and len(cells) == len(REVIEW_COLUMNS) and all(c.isdigit() for c in cells)]
        _break_a_number(r, rng, [Table("applications", [row for _, row in spots])])
        for cells, row in spots:
            if row.join:  # the row that was broken: its line takes the new cells
                cells[-len(row.cells):] = row.cells
    return render(lines, r.layout)


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def _blank_cells(r: SynthReport, rng: random.Random) -> None:
    """Defect blank_cells: up to three application cells printed blank (None). Only zero cells: a blank is
    what a report prints for nothing, so the identities still hold with blanks as 0."""
    keep = ("other_overdue_correction", "other_overdue_fee", "other_other") if _has(r, "rowspan_other") else ()
    zeros = sorted(k for k, v in r.values.items()
                   if k[0] == "applications" and k[2] != "total" and v == 0 and k[1] not in keep)
    for key in rng.sample(zeros, min(3, len(zeros))):
        r.values[key] = None


def make_real_like(i: int, rng: random.Random, layout: str | None = None,
                   defect_rate: float = 0.1) -> tuple[SynthReport, bytes]:
    """Report number i in a real-file layout (REAL_LAYOUTS, drawn when None) or in a text layout of
    synthetic.corpus with the traits it can show (TRAITS[layout]). Deterministic for the state of `rng`."""
    if layout is None:
        layout = rng.choices(list(_LAYOUT_WEIGHTS), list(_LAYOUT_WEIGHTS.values()))[0]
    if layout not in TRAITS:
        raise ValueError(f"unknown layout {layout}")
    real = layout in (CRAWLED_PAGE, PDF_MARKDOWN, HTML_FRAGMENT)
    template = rng.choices(("2019", "2021", "hybrid"), (30, 55, 15 if real else 0))[0]
    sec2, sec3 = ("2021", "2019") if template == "hybrid" else (template, template)
    if layout == HTML_FRAGMENT:
        encoding = rng.choice(("utf-8", "gb18030"))
    elif layout in (CRAWLED_PAGE, PDF_MARKDOWN):
        encoding = "utf-8"
    else:
        encoding = rng.choice(ENCODINGS)
    org = rng.choice(_AREAS) + rng.choice(_BODIES)
    year = rng.randint(2019, 2025)
    published = f"{year + 1}-01-{rng.randint(5, 28):02d}" if rng.random() < 0.8 or layout == CRAWLED_PAGE else None
    ext = {CRAWLED_PAGE: "txt", PDF_MARKDOWN: "md", HTML_FRAGMENT: "html", HTML_CHROME: "html"}
    r = SynthReport(f"{i:07d}_{template}_{layout}.{ext.get(layout, 'txt')}", template, layout, encoding, org, year,
                    published, {})
    if template == "hybrid":
        r.traits.append("hybrid")
    crawled = layout == CRAWLED_PAGE
    quiet = crawled and sec3 == "2021" and _draw(r, rng, "rowspan_other", 0.25)
    broken = "broken_number" in TRAITS[layout] and rng.random() < 0.4  # needs a multi-digit application count
    r.values = real_values(sec2, sec3, rng, apps_at_least=10 if broken else 0, quiet_other=quiet)
    if real and _draw(r, rng, "regulations_absent", 0.15):
        for m in DISCLOSURE_TABLES["art20_1"].measures[sec2]:
            del r.values[("art20_1", "regulations", m.key)]
    if encoding == "gb18030" and layout == HTML_FRAGMENT:
        r.traits.append("gb18030")
    blank = ""
    if rng.random() < defect_rate:
        defect = rng.choice(("blank_cells", "broken_identity"))
        if defect == "blank_cells":
            _blank_cells(r, rng)
            blank = rng.choice(("-", "/", "无")) if layout in (*LAYOUTS, RUN_TOGETHER) else ""
        else:
            key = ("applications", "total", "natural_person")
            r.values[key] = int(r.values[key] or 0) + 1
        r.defects.append(defect)

    if not real:
        text = render_chrome(r, rng, blank) if layout == HTML_CHROME else _text_layout(r, rng, blank, broken)
        if layout == HTML_CHROME:
            r.traits.append("site_chrome")
        return r, text.encode(encoding)

    if crawled:
        _draw(r, rng, "title_space", 0.15)
    blocks = _blocks(r, rng, sec2, sec3, layout)
    if crawled:
        style = rng.choices(("glued", "spaced", "mixed"), (45, 25, 30))[0]
        r.traits.append(f"cells_{style}")
        for trait, p in (("ideographic_space", 0.2), ("spaced_headers", 0.35), ("breadcrumb", 0.4),
                         ("css_junk", 0.2), ("cc_line", 0.2), ("attachment", 0.5)):
            _draw(r, rng, trait, p)
        if broken:
            _break_a_number(r, rng, _tables(blocks))
        text = render_crawled(r, blocks, rng)
    elif layout == PDF_MARKDOWN:
        _draw(r, rng, "markdown_headings", 0.5)
        text = render_pdf_markdown(r, blocks, rng)
    else:
        _draw(r, rng, "no_title", 0.3)  # the preamble still states the statistics period: the year stays known
        text = render_fragment(r, blocks, rng, sec3)
    return r, text.encode(encoding)


__all__ = ["BROKEN_NUMBER_LAYOUTS", "REAL_LAYOUTS", "TRAITS", "make_real_like", "real_values"]
