"""The two official report templates, declared once as data (spec §3–§6, §9).

The extraction code is generic over these declarations: adding a template means adding data here,
not branches elsewhere. Every key below is the project's public vocabulary (spec appendix).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------------------------------------
# Section 二: proactive disclosure sub-tables (第二十条第（X）项)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """One value column of a section-二 table."""

    key: str
    label: str
    phrases: tuple[str, ...]  # normalised key phrases; the longest-first match decides
    kind: str = "count"  # count | signed_count | money_yuan | money_wan_yuan


@dataclass(frozen=True)
class ItemRow:
    key: str
    phrases: tuple[str, ...]
    label: str = ""  # the verbatim label of the official template
    exclude: tuple[str, ...] = ()  # a label containing one of these is not this row


@dataclass(frozen=True)
class DisclosureTable:
    key: str  # art20_1 …
    item: str  # （一）…
    rows: dict[str, tuple[ItemRow, ...]]  # per template
    measures: dict[str, tuple[Measure, ...]]  # per template
    markers: dict[str, tuple[str, ...]] = field(default_factory=dict)  # per template, normalised


_PREV = Measure("prev_year_items", "上一年项目数量", ("上一年项目数量",))
_CHANGE = Measure("items_change", "本年增/减", ("本年增/减", "本年增减"), kind="signed_count")
_DECISIONS_2019 = Measure("decisions", "处理决定数量", ("处理决定数量",))
_DECISIONS_2021 = Measure("decisions", "本年处理决定数量", ("本年处理决定数量",))

DISCLOSURE_TABLES: dict[str, DisclosureTable] = {
    t.key: t
    for t in (
        DisclosureTable(
            key="art20_1",
            item="一",
            rows={
                "2019": (
                    ItemRow("regulations", ("规章",), "规章"),
                    ItemRow("normative_documents", ("规范性文件",), "规范性文件"),
                ),
                "2021": (
                    ItemRow("regulations", ("规章",), "规章"),
                    ItemRow("normative_documents", ("规范性文件",), "行政规范性文件"),
                ),
            },
            measures={
                "2019": (
                    Measure("new_made", "本年新制作数量", ("本年新制作数量", "新制作")),
                    Measure("new_published", "本年新公开数量", ("本年新公开数量", "新公开")),
                    Measure("total_published", "对外公开总数量", ("对外公开总数量", "公开总数")),
                ),
                "2021": (
                    Measure("issued", "本年制发件数", ("本年制发件数", "制发件数")),
                    Measure("repealed", "本年废止件数", ("本年废止件数", "废止件数")),
                    Measure("in_force", "现行有效件数", ("现行有效件数", "有效件数")),
                ),
            },
            markers={
                "2019": ("本年新制作数量", "本年新公开数量", "对外公开总数量", "新制作数量", "公开总数量"),
                "2021": ("本年制发件数", "本年废止件数", "现行有效件数", "行政规范性文件", "先行有效件数"),
            },
        ),
        DisclosureTable(
            key="art20_5",
            item="五",
            rows={
                "2019": (
                    ItemRow("licensing", ("行政许可",), "行政许可"),
                    ItemRow("other_admin_services", ("其他对外管理服务事项", "对外管理服务"), "其他对外管理服务事项"),
                ),
                "2021": (ItemRow("licensing", ("行政许可",), "行政许可"),),
            },
            measures={"2019": (_PREV, _CHANGE, _DECISIONS_2019), "2021": (_DECISIONS_2021,)},
            markers={
                "2019": ("上一年项目数量", "本年增/减", "其他对外管理服务事项"),
                "2021": ("本年处理决定数量",),
            },
        ),
        DisclosureTable(
            key="art20_6",
            item="六",
            rows={
                "2019": (ItemRow("penalty", ("行政处罚",), "行政处罚"), ItemRow("coercion", ("行政强制",), "行政强制")),
                "2021": (ItemRow("penalty", ("行政处罚",), "行政处罚"), ItemRow("coercion", ("行政强制",), "行政强制")),
            },
            measures={"2019": (_PREV, _CHANGE, _DECISIONS_2019), "2021": (_DECISIONS_2021,)},
            markers={"2019": ("上一年项目数量", "本年增/减"), "2021": ("本年处理决定数量",)},
        ),
        DisclosureTable(
            key="art20_8",
            item="八",
            rows={
                "2019": (ItemRow("admin_fees", ("行政事业性收费", "收费"), "行政事业性收费"),),
                "2021": (ItemRow("admin_fees", ("行政事业性收费", "收费"), "行政事业性收费"),),
            },
            measures={
                "2019": (_PREV, _CHANGE),
                "2021": (
                    Measure(
                        "fee_amount_wan_yuan",
                        "本年收费金额(单位:万元)",
                        ("本年收费金额", "收费金额"),
                        kind="money_wan_yuan",
                    ),
                ),
            },
            markers={"2019": ("上一年项目数量", "本年增/减"), "2021": ("本年收费金额", "收费金额")},
        ),
        DisclosureTable(
            key="art20_9",
            item="九",
            rows={"2019": (ItemRow("central_procurement", ("政府集中采购", "集中采购"), "政府集中采购"),)},
            measures={
                "2019": (
                    Measure("procurement_projects", "采购项目数量", ("采购项目数量", "项目数量")),
                    Measure("procurement_amount", "采购总金额", ("采购总金额", "总金额"), kind="money_yuan"),
                )
            },
            markers={"2019": ("采购项目数量", "采购总金额", "政府集中采购")},
        ),
    )
}

# ---------------------------------------------------------------------------------------------
# Section 三: applications (spec §5)
# ---------------------------------------------------------------------------------------------

APPLICATION_COLUMNS: tuple[str, ...] = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)
APPLICANT_COLUMNS = APPLICATION_COLUMNS[:6]


@dataclass(frozen=True)
class AppRow:
    key: str
    phrases: tuple[str, ...]  # normalised key phrases (substring match); () = positional only
    group: str | None = None  # the merged group this row belongs to
    exact: tuple[str, ...] = ()  # labels that must equal the normalised, de-numbered label
    label: str = ""  # the verbatim label of the official template (spec §5.3)


@dataclass(frozen=True)
class AppGroup:
    key: str
    phrases: tuple[str, ...]
    rows: tuple[str, ...]  # official order of the rows inside the group
    label: str = ""  # the verbatim group label, printed on the group's first row


_DENIED = (
    AppRow("denied_state_secret", ("国家秘密",), "denied", label="1.属于国家秘密"),
    AppRow("denied_law_forbidden", ("禁止公开",), "denied", label="2.其他法律行政法规禁止公开"),
    AppRow("denied_security_stability", ("三安全一稳定", "三安全"), "denied", label="3.危及“三安全一稳定”"),
    AppRow("denied_third_party_rights", ("第三方合法权益", "第三方"), "denied", label="4.保护第三方合法权益"),
    AppRow("denied_internal_affairs", ("内部事务",), "denied", label="5.属于三类内部事务信息"),
    AppRow("denied_process_info", ("过程性信息",), "denied", label="6.属于四类过程性信息"),
    AppRow(
        "denied_enforcement_file", ("行政执法案卷", "执法案卷", "行政执法案件"), "denied", label="7.属于行政执法案卷"
    ),
    AppRow("denied_admin_query", ("行政查询事项", "行政查询"), "denied", label="8.属于行政查询事项"),
)
_UNABLE = (
    AppRow("unable_no_info", ("不掌握",), "unable", label="1.本机关不掌握相关政府信息"),
    AppRow("unable_need_creation", ("另行制作",), "unable", label="2.没有现成信息需要另行制作"),
    AppRow("unable_unclear", ("仍不明确", "不明确"), "unable", label="3.补正后申请内容仍不明确"),
)
_NOT_PROCESSED = (
    AppRow("not_processed_complaint", ("信访举报投诉", "信访"), "not_processed", label="1.信访举报投诉类申请"),
    AppRow("not_processed_repeat", ("重复申请",), "not_processed", label="2.重复申请"),
    AppRow("not_processed_publication", ("公开出版物", "出版物"), "not_processed", label="3.要求提供公开出版物"),
    AppRow("not_processed_massive", ("大量反复",), "not_processed", label="4.无正当理由大量反复申请"),
    AppRow(
        "not_processed_confirm",
        ("确认或重新出具", "重新出具"),
        "not_processed",
        label="5.要求行政机关确认或重新出具已获取信息",
    ),
)
_HEAD = (
    AppRow("new_received", ("本年新收",), label="一、本年新收政府信息公开申请数量"),
    AppRow("carried_over", ("上年结转",), label="二、上年结转政府信息公开申请数量"),
    AppRow("granted", ("予以公开",), label="（一）予以公开"),
    AppRow("partially_granted", ("部分公开",), label="（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
)
_TAIL = (
    AppRow("total", ("总计",), label="（七）总计"),
    AppRow("carried_forward", ("结转下年度", "结转下一年度"), label="四、结转下年度继续办理"),
)

APPLICATION_ROWS: dict[str, tuple[AppRow, ...]] = {
    "2019": (
        *_HEAD,
        *_DENIED,
        *_UNABLE,
        *_NOT_PROCESSED,
        AppRow("other_processing", ("其他处理", "其他受理"), label="（六）其他处理"),
        *_TAIL,
    ),
    "2021": (
        *_HEAD,
        *_DENIED,
        *_UNABLE,
        *_NOT_PROCESSED,
        AppRow(
            "other_overdue_correction",
            ("逾期不补正", "不补正"),
            "other",
            label="1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
        ),
        AppRow(
            "other_overdue_fee",
            ("收费通知", "缴纳费用"),
            "other",
            label="2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
        ),
        AppRow("other_other", (), "other", exact=("其他",), label="3.其他"),
        *_TAIL,
    ),
}

_G_DENIED = AppGroup("denied", ("不予公开",), tuple(r.key for r in _DENIED), "（三）不予公开")
_G_UNABLE = AppGroup("unable", ("无法提供",), tuple(r.key for r in _UNABLE), "（四）无法提供")
_G_NOT_PROCESSED = AppGroup(
    "not_processed", ("不予处理", "不予受理"), tuple(r.key for r in _NOT_PROCESSED), "（五）不予处理"
)
_G_OTHER = AppGroup(
    "other",
    ("其他处理", "其他受理"),
    ("other_overdue_correction", "other_overdue_fee", "other_other"),
    "（六）其他处理",
)
APPLICATION_GROUPS: dict[str, tuple[AppGroup, ...]] = {
    "2019": (_G_DENIED, _G_UNABLE, _G_NOT_PROCESSED),
    "2021": (_G_DENIED, _G_UNABLE, _G_NOT_PROCESSED, _G_OTHER),
}

# Rows whose seven cells are summed by identity A2 into （七）总计.
OUTCOME_ROWS: dict[str, tuple[str, ...]] = {
    tpl: tuple(r.key for r in rows if r.key not in ("new_received", "carried_over", "total", "carried_forward"))
    for tpl, rows in APPLICATION_ROWS.items()
}

# Markers of the section-三 template (spec §9.1), normalised.
APPLICATION_MARKERS_2021 = ("逾期不补正", "收费通知", "缴纳费用")

# ---------------------------------------------------------------------------------------------
# Section 四: review and litigation (spec §6)
# ---------------------------------------------------------------------------------------------

REVIEW_COLUMNS: tuple[str, ...] = (
    "review_upheld",
    "review_corrected",
    "review_other",
    "review_pending",
    "review_total",
    "litigation_direct_upheld",
    "litigation_direct_corrected",
    "litigation_direct_other",
    "litigation_direct_pending",
    "litigation_direct_total",
    "litigation_after_review_upheld",
    "litigation_after_review_corrected",
    "litigation_after_review_other",
    "litigation_after_review_pending",
    "litigation_after_review_total",
)
REVIEW_ROW = "cases"

# Every table key of the JSON contract (spec §13), in report order.
TABLE_KEYS = ("art20_1", "art20_5", "art20_6", "art20_8", "art20_9", "applications", "review_litigation")


def expected_tables(template: str) -> tuple[str, ...]:
    """Tables a complete report of this template contains."""
    if template == "2019":
        return TABLE_KEYS
    return tuple(t for t in TABLE_KEYS if t != "art20_9")
