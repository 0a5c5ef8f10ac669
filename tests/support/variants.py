"""Ground truth for the parser tests: the key vocabulary, the five seeds' expected cells, and a
generator of seed-layout variants with known non-zero numbers.

The vocabulary is written out here from the spec (appendix of report-formats.md) on purpose, and
not imported from `pipeline.templates`: the tests must not share a typo with the code they check.

A variant keeps a seed's exact text layout and substitutes every whole numeric cell of sections
二/三/四 (in document order, which is template order: table by table, row by row, column by
column) with a known value. Leaf values are distinct; totals are computed so that the identities
A1–A3 and R1–R3 hold, unless a test asks for a deliberate error (`tamper`).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from tests.support import FIXTURES

SEED_DIR = FIXTURES / "seeds"
SEED_FILES = {
    "000": "000_2581eebe3519dac9.txt",
    "001": "001_032b4f47aa39f490.txt",
    "002": "002_81058bd546f48f02.txt",
    "003": "003_e09efae4794f4a2c.txt",
    "004": "004_4760a96778e8f996.txt",
}
SEEDS = tuple(SEED_FILES)

Key = tuple[str, str, str]  # (table, row, column)

# ------------------------------------------------------------------------------------------------
# Vocabulary (spec §3–§6 and appendix)
# ------------------------------------------------------------------------------------------------

APP_COLUMNS = (
    "natural_person",
    "commercial_enterprise",
    "research_institution",
    "social_welfare_org",
    "legal_service_org",
    "other_org",
    "total",
)
APPLICANT_COLUMNS = APP_COLUMNS[:6]

REVIEW_COLUMNS = (
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
REVIEW_BLOCKS = {  # identity -> (total column, part columns)
    "R1": ("review_total", REVIEW_COLUMNS[0:4]),
    "R2": ("litigation_direct_total", REVIEW_COLUMNS[5:9]),
    "R3": ("litigation_after_review_total", REVIEW_COLUMNS[10:14]),
}

DENIED_ROWS = (
    "denied_state_secret",
    "denied_law_forbidden",
    "denied_security_stability",
    "denied_third_party_rights",
    "denied_internal_affairs",
    "denied_process_info",
    "denied_enforcement_file",
    "denied_admin_query",
)
UNABLE_ROWS = ("unable_no_info", "unable_need_creation", "unable_unclear")
NOT_PROCESSED_ROWS = (
    "not_processed_complaint",
    "not_processed_repeat",
    "not_processed_publication",
    "not_processed_massive",
    "not_processed_confirm",
)
_HEAD = ("new_received", "carried_over", "granted", "partially_granted")
_MIDDLE = (*DENIED_ROWS, *UNABLE_ROWS, *NOT_PROCESSED_ROWS)
APP_ROWS = {
    "2019": (*_HEAD, *_MIDDLE, "other_processing", "total", "carried_forward"),
    "2021": (
        *_HEAD,
        *_MIDDLE,
        "other_overdue_correction",
        "other_overdue_fee",
        "other_other",
        "total",
        "carried_forward",
    ),
}
_NOT_OUTCOME = ("new_received", "carried_over", "total", "carried_forward")
OUTCOME_ROWS = {tpl: tuple(r for r in rows if r not in _NOT_OUTCOME) for tpl, rows in APP_ROWS.items()}

_CHANGE_COLS = ("prev_year_items", "items_change", "decisions")
SEC2 = {  # template -> ((table, rows, columns), …) in report order
    "2019": (
        ("art20_1", ("regulations", "normative_documents"), ("new_made", "new_published", "total_published")),
        ("art20_5", ("licensing", "other_admin_services"), _CHANGE_COLS),
        ("art20_6", ("penalty", "coercion"), _CHANGE_COLS),
        ("art20_8", ("admin_fees",), ("prev_year_items", "items_change")),
        ("art20_9", ("central_procurement",), ("procurement_projects", "procurement_amount")),
    ),
    "2021": (
        ("art20_1", ("regulations", "normative_documents"), ("issued", "repealed", "in_force")),
        ("art20_5", ("licensing",), ("decisions",)),
        ("art20_6", ("penalty", "coercion"), ("decisions",)),
        ("art20_8", ("admin_fees",), ("fee_amount_wan_yuan",)),
    ),
}
MONEY_COLUMNS = frozenset({"procurement_amount", "fee_amount_wan_yuan"})
SEC2_TABLES = ("art20_1", "art20_5", "art20_6", "art20_8", "art20_9")


def table_keys(sec2: str, apps: str, drop_tables: tuple[str, ...] = ()) -> list[Key]:
    """Every cell key of a report whose section 二 has template `sec2` and section 三 `apps`."""
    keys: list[Key] = []
    for table, rows, cols in SEC2[sec2]:
        if table in drop_tables:
            continue
        keys += [(table, r, c) for r in rows for c in cols]
    if "applications" not in drop_tables:
        keys += [("applications", r, c) for r in APP_ROWS[apps] for c in APP_COLUMNS]
    if "review_litigation" not in drop_tables:
        keys += [("review_litigation", "cases", c) for c in REVIEW_COLUMNS]
    return keys


# ------------------------------------------------------------------------------------------------
# The five seeds: ground truth
# ------------------------------------------------------------------------------------------------

SEED_PLAN = {"000": "2019", "001": "2021", "002": "2021", "003": "2021", "004": "2019"}
SEED_META = {
    "000": {"template": "2019", "organization": "浈江区花坪镇", "report_year": 2024, "published_on": None},
    "001": {
        "template": "2021",
        "organization": "北票市长皋乡人民政府",
        "report_year": 2024,
        "published_on": "2025-01-16",
    },
    "002": {"template": "2021", "organization": "克井镇人民政府", "report_year": 2024, "published_on": None},
    "003": {"template": "2021", "organization": "泉塘镇", "report_year": 2023, "published_on": "2024-01-09"},
    "004": {"template": "2019", "organization": "万东镇人民政府", "report_year": 2019, "published_on": None},
}
SEED_NONZERO: dict[str, dict[Key, float]] = {
    "000": {
        ("art20_6", "penalty", "items_change"): 8,
        ("art20_6", "penalty", "decisions"): 8,
        ("art20_9", "central_procurement", "procurement_projects"): 15,
        ("art20_9", "central_procurement", "procurement_amount"): 1596496.16,
    },
    "001": {("art20_8", "admin_fees", "fee_amount_wan_yuan"): 9.51},
    "002": {
        ("art20_6", "penalty", "decisions"): 13,
        ("art20_8", "admin_fees", "fee_amount_wan_yuan"): 194.3525,
    },
    "003": {},
    "004": {("art20_5", "licensing", "items_change"): 3, ("art20_5", "licensing", "decisions"): 3},
}
# Seed 003 lost the labels of these rows (spec §10.4): each has a surplus leading numeric cell.
LOST_LABEL_ROWS = {"003": (*DENIED_ROWS, "unable_no_info", "unable_need_creation")}
CELL_COUNT = {"2019": 198, "2021": 200}


def seed_text(seed: str) -> str:
    return (SEED_DIR / SEED_FILES[seed]).read_text(encoding="utf-8")


def seed_expected(seed: str) -> dict[Key, float]:
    tpl = SEED_PLAN[seed]
    expected: dict[Key, float] = dict.fromkeys(table_keys(tpl, tpl), 0)
    expected.update(SEED_NONZERO[seed])
    return expected


# ------------------------------------------------------------------------------------------------
# Encodings
# ------------------------------------------------------------------------------------------------

# name used in test ids -> encoding name the parser must report (spec / brief)
ENCODINGS = {
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "gb18030": "gb18030",
    "utf-16": "utf-16",
    "utf-16-le-bom": "utf-16",
    "utf-16-be-bom": "utf-16",
}
GBK_FAMILY = {"gbk": "gb18030", "gb2312": "gb18030"}  # only where the text is encodable


def encode(text: str, enc: str) -> bytes:
    if enc == "utf-16-le-bom":
        return b"\xff\xfe" + text.encode("utf-16-le")
    if enc == "utf-16-be-bom":
        return b"\xfe\xff" + text.encode("utf-16-be")
    return text.encode(enc)


def encodable(text: str, enc: str) -> bool:
    try:
        encode(text, enc)
    except UnicodeEncodeError:
        return False
    return True


# ------------------------------------------------------------------------------------------------
# Numeric cells of a layout
# ------------------------------------------------------------------------------------------------

# A whole cell that is a number (optionally signed, decimal, with a money unit), delimited by
# whitespace (incl. tab / NBSP), a pipe, or the start/end of the text.
_NUMERIC_CELL = re.compile(r"(?<![^\s|])([+-]?\d+(?:\.\d+)?)(万元|元)?(?![^\s|])")
SECTION2_HEADING = "二、主动公开政府信息情况"
SECTION5_HEADING = "五、存在的主要问题"


def table_region(text: str) -> tuple[int, int]:
    start = text.index(SECTION2_HEADING)
    return start, text.index(SECTION5_HEADING, start)


def numeric_cells(text: str) -> list[re.Match[str]]:
    start, end = table_region(text)
    return list(_NUMERIC_CELL.finditer(text, start, end))


def slots(sec2: str, apps: str, lost_rows: tuple[str, ...] = ()) -> list[tuple[str, str, str]]:
    """The numeric cells of a layout in document order. ("surplus", row, "") is a lost-label slot."""
    out: list[tuple[str, str, str]] = []
    for key in table_keys(sec2, apps):
        table, row, col = key
        if table == "applications" and col == APP_COLUMNS[0] and row in lost_rows:
            out.append(("surplus", row, ""))
        out.append(key)
    return out


# ------------------------------------------------------------------------------------------------
# Variants
# ------------------------------------------------------------------------------------------------


@dataclass
class Variant:
    name: str
    seed: str
    text: str
    expected: dict[Key, float | None]  # value the parser must place; None = blank cell
    template: str  # expected report template
    sec2: str
    apps: str
    raws: dict[Key, str] = field(default_factory=dict)  # printed cell text (stripped)
    units: dict[Key, str | None] = field(default_factory=dict)  # expected unit of money cells
    spans: dict[Key, tuple[int, int]] = field(default_factory=dict)  # cell position in `text`
    label_inferred: frozenset[tuple[str, str]] = frozenset()  # (table, row) placed by §10.4
    surplus: dict[str, str] = field(default_factory=dict)  # lost-label row -> surplus cell text

    def __iter__(self):  # `text, expected = variant`
        return iter((self.text, self.expected))

    def line_of(self, key: Key) -> int:
        """1-based line of a cell in `text`."""
        return self.text.count("\n", 0, self.spans[key][0]) + 1


def _leaf_values(sec2: str, apps: str, rng: random.Random, zero: frozenset[Key]) -> dict[Key, int]:
    """Known values for every cell: distinct leaves, totals computed so A1–A3 and R1–R3 hold."""
    for _ in range(2000):
        pool = iter(rng.sample(range(1, 1000), 400))
        vals: dict[Key, int] = {}
        for table, rows, cols in SEC2[sec2]:
            for r in rows:
                for c in cols:
                    vals[(table, r, c)] = next(pool)
        leaf_rows = (*OUTCOME_ROWS[apps], "carried_over", "carried_forward")
        for r in leaf_rows:
            for c in APPLICANT_COLUMNS:
                vals[("applications", r, c)] = next(pool)
        for c in REVIEW_COLUMNS:
            vals[("review_litigation", "cases", c)] = next(pool)
        for k in zero:
            if k not in vals:
                raise ValueError(f"only leaf cells can be blanked, not {k}")
            vals[k] = 0
        for c in APPLICANT_COLUMNS:
            total = sum(vals[("applications", r, c)] for r in OUTCOME_ROWS[apps])
            vals[("applications", "total", c)] = total
            vals[("applications", "new_received", c)] = (
                total + vals[("applications", "carried_forward", c)] - vals[("applications", "carried_over", c)]
            )
        for r in APP_ROWS[apps]:
            vals[("applications", r, "total")] = sum(vals[("applications", r, c)] for c in APPLICANT_COLUMNS)
        for total_col, parts in REVIEW_BLOCKS.values():
            vals[("review_litigation", "cases", total_col)] = sum(
                vals[("review_litigation", "cases", c)] for c in parts
            )
        live = [v for k, v in vals.items() if k not in zero]
        if min(live) > 0 and len(set(live)) == len(live):
            return vals
    raise RuntimeError("could not draw distinct values")


SIGNS = {  # signed items_change variant: row -> sign
    "licensing": "+",
    "other_admin_services": "-",
    "penalty": "+",
    "coercion": "-",
    "admin_fees": "-",
}


def make_variant(
    seed: str,
    *,
    name: str = "distinct",
    rng_seed: int = 0,
    text: str | None = None,
    sec2: str | None = None,
    apps: str | None = None,
    template: str | None = None,
    signed: bool = False,
    number_format=str,
    money: dict[Key, tuple[str, float, str | None]] | None = None,
    blanks: tuple[Key, ...] = (),
    blank_token: str = "",
    tamper: dict[Key, int] | None = None,
    surplus: dict[str, str] | None = None,
) -> Variant:
    """A seed-layout variant with known values.

    `money`: key -> (cell text, expected value, expected unit) for money cells.
    `blanks`: leaf cells printed as `blank_token` (expected None; 0 for the identities).
    `tamper`: key -> delta added to the printed value after the totals were computed.
    `surplus`: lost-label row -> text of its surplus leading cell (default "0").
    `number_format`: how a plain count is printed (e.g. with thousands separators, full-width).
    """
    base = SEED_PLAN[seed]
    sec2 = sec2 or base
    apps = apps or base
    text = seed_text(seed) if text is None else text
    lost = LOST_LABEL_ROWS.get(seed, ()) if apps == base else ()
    money = money or {}
    tamper = tamper or {}
    surplus = {r: "0" for r in lost} | (surplus or {})

    slot_keys = slots(sec2, apps, lost)
    cells = numeric_cells(text)
    if len(cells) != len(slot_keys):
        raise ValueError(f"{seed}/{name}: {len(cells)} numeric cells in the layout, {len(slot_keys)} slots")
    vals = _leaf_values(sec2, apps, random.Random(f"{seed}/{rng_seed}"), frozenset(blanks))

    expected: dict[Key, float | None] = {}
    raws: dict[Key, str] = {}
    units: dict[Key, str | None] = {}
    pieces: list[tuple[re.Match[str], Key, str]] = []
    for key, m in zip(slot_keys, cells, strict=True):
        table, row, col = key
        if table == "surplus":
            pieces.append((m, key, surplus[row]))
            continue
        v = vals[key] + tamper.get(key, 0)
        if key in blanks:
            out, exp = blank_token, None
        elif key in money:
            out, exp, units[key] = money[key]
        elif col == "procurement_amount":
            unit = m.group(2)  # keep the unit the seed typed into the cell
            out, exp, units[key] = f"{v}{unit or ''}", v, unit
        elif col == "fee_amount_wan_yuan":
            out, exp, units[key] = str(v), v, None
        elif signed and col == "items_change":
            sign = SIGNS[row]
            out, exp = f"{sign}{v}", (v if sign == "+" else -v)
        else:
            out, exp = number_format(v), v
        expected[key] = exp
        raws[key] = out.strip()
        pieces.append((m, key, out))

    # Rebuild the text, recording where each cell now sits.
    chunks: list[str] = []
    spans: dict[Key, tuple[int, int]] = {}
    pos = 0
    length = 0
    for m, key, out in pieces:
        chunks.append(text[pos : m.start()])
        length += m.start() - pos
        spans[key] = (length, length + len(out))
        chunks.append(out)
        length += len(out)
        pos = m.end()
    chunks.append(text[pos:])
    new_text = "".join(chunks)

    return Variant(
        name=name,
        seed=seed,
        text=new_text,
        expected=expected,
        template=template or (sec2 if sec2 == apps else "hybrid"),
        sec2=sec2,
        apps=apps,
        raws=raws,
        units=units,
        spans={k: s for k, s in spans.items() if k[0] != "surplus"},
        label_inferred=frozenset(("applications", r) for r in lost),
        surplus={r: surplus[r] for r in lost},
    )


# ------------------------------------------------------------------------------------------------
# Derived layouts
# ------------------------------------------------------------------------------------------------


def hybrid_text() -> str:
    """Seed 001 with its section 三 turned into the 2019 format: one （六）其他处理 row of 7 numbers.

    Section 二 stays 2021, so the report is a hybrid (spec §9.2, §14)."""
    lines = seed_text("001").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("(六)其他处理"))
    assert lines[start + 2].startswith("3.其他")
    lines[start : start + 3] = ["(六)其他处理 | 0 | 0 | 0 | 0 | 0 | 0 | 0 | ||"]
    return "\n".join(lines)


def reverse_hybrid_text() -> str:
    """Seed 000 (2019) with its （六）其他处理 row split into the three 2021 sub-rows: section 二 is
    2019, section 三 is 2021, so the report is a hybrid the other way round."""
    text = seed_text("000")
    line = next(ln for ln in text.split("\n") if ln.startswith("(六)其他处理"))
    values = line.split("  | ", 1)[1]
    rows = [
        "(六)其他处理  | 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请  | " + values,
        "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请  | " + values,
        "3.其他  | " + values,
    ]
    return text.replace(line, "\n".join(rows))


def markdown_text(seed: str) -> str:
    """A seed's tables as markdown pipe tables (`| a | b |` rows, a `|---|` row after each table's
    first row), keeping leading empty cells of merged group rows. Text outside tables is unchanged."""
    text = seed_text(seed)
    start, end = table_region(text)
    sep = "\t" if "\t" in text[start:end] else "|"
    out: list[str] = []
    starts_table = re.compile(r"^\W*(第二十条|\(本列数据|行政复议)")
    for line in text[start:end].split("\n"):
        if sep not in line:
            out.append(line)
            continue
        cells = [c.strip() for c in line.split(sep)]
        while cells and not cells[-1]:
            cells.pop()
        out.append("| " + " | ".join(cells) + " |")
        if starts_table.match(line):
            out.append("|" + "---|" * len(cells))
    return text[:start] + "\n".join(out) + text[end:]


ANNOTATED_LABELS_2019 = {  # the Hubei-style annotated template (spec §10.2), on seed 000
    "规章  |": "规章(设区的市、自治州人民政府应提供相关数据)  |",
    "上一年项目数量  |": "上一年项目数量(指2019年事项数)  |",
    "本年增/减  |": "本年增/减(指2020年增加或减少的事项数,减用负值表示,如-8)  |",
    "处理决定数量  |": "处理决定数量(指2020年办件量)  |",
}
TYPO_LABELS_2021 = {  # typos seen in real reports (spec §14), on seed 001
    "7.属于行政执法案卷": "7.属于行政执法案件",
    "现行有效件数": "先行有效件数",
    "勾稽关系": "钩稽关系",
}


def replace_all(text: str, table: dict[str, str]) -> str:
    for old, new in table.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def variant_catalogue() -> list[Variant]:
    """Every layout variant the placement tests run (the identity/bad-input tests build their own)."""
    out: list[Variant] = []
    for seed in SEEDS:
        tpl = SEED_PLAN[seed]
        out.append(make_variant(seed, name="distinct"))
        out.append(make_variant(seed, name="distinct-r2", rng_seed=2))
        if tpl == "2019":
            out.append(make_variant(seed, name="signed", signed=True))
            amount = ("art20_9", "central_procurement", "procurement_amount")
            out.append(make_variant(seed, name="money-yuan-decimal", money={amount: ("2500.5元", 2500.5, "元")}))
            out.append(make_variant(seed, name="money-wan-yuan", money={amount: ("37万元", 370000, "万元")}))
            mid = [("art20_1", "regulations", "new_published"), ("art20_5", "other_admin_services", "items_change")]
        else:
            fee = ("art20_8", "admin_fees", "fee_amount_wan_yuan")
            out.append(make_variant(seed, name="fee-decimal", money={fee: ("12.3456", 12.3456, None)}))
            mid = [("art20_1", "regulations", "repealed"), ("art20_1", "normative_documents", "repealed")]
        blanks = (
            *mid,
            ("applications", "granted", "research_institution"),
            ("applications", "not_processed_repeat", "social_welfare_org"),
            ("applications", "carried_over", "legal_service_org"),
            ("review_litigation", "cases", "review_other"),
            ("review_litigation", "cases", "litigation_direct_corrected"),
        )
        for token, label in (("", "empty"), ("-", "dash"), ("—", "emdash"), ("/", "slash"), ("无", "wu")):
            out.append(make_variant(seed, name=f"blank-{label}", blanks=blanks, blank_token=token))
    out.append(make_variant("001", name="hybrid", text=hybrid_text(), sec2="2021", apps="2019", template="hybrid"))
    for seed in ("000", "001", "002"):  # the row-per-line layouts
        out.append(make_variant(seed, name="markdown", text=markdown_text(seed)))
    out.append(make_variant("001", name="thousands-separators", number_format=lambda v: f"{v:,}"))
    out.append(make_variant("004", name="full-width-digits", number_format=lambda v: str(v).translate(FULL_WIDTH)))
    out.append(make_variant("000", name="annotated-labels", text=replace_all(seed_text("000"), ANNOTATED_LABELS_2019)))
    out.append(make_variant("001", name="label-typos", text=replace_all(seed_text("001"), TYPO_LABELS_2021)))
    out.append(
        make_variant("000", name="hybrid", text=reverse_hybrid_text(), sec2="2019", apps="2021", template="hybrid")
    )
    out.append(
        make_variant(
            "001",
            name="2021-headers-2019-row-label",
            text=seed_text("001").replace("行政规范性文件 |", "规范性文件 |"),
        )
    )
    return out


# ------------------------------------------------------------------------------------------------
# Identities (spec §7), evaluated on expected values: what the parser must report
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdentityFailure:
    code: str  # identity_A1_failed …
    target: str  # column (A1, A2), row (A3) or total column (R*)
    left: float
    right: float
    cells: frozenset[Key]


def identity_failures(expected: dict[Key, float | None], apps: str) -> list[IdentityFailure]:
    def v(key: Key) -> float:
        return expected.get(key) or 0

    def a(r: str, c: str) -> Key:
        return ("applications", r, c)

    out: list[IdentityFailure] = []
    for c in APP_COLUMNS:
        left = v(a("new_received", c)) + v(a("carried_over", c))
        right = v(a("total", c)) + v(a("carried_forward", c))
        cells = frozenset(a(r, c) for r in ("new_received", "carried_over", "total", "carried_forward"))
        if left != right:
            out.append(IdentityFailure("identity_A1_failed", c, left, right, cells))
        left = v(a("total", c))
        right = sum(v(a(r, c)) for r in OUTCOME_ROWS[apps])
        if left != right and expected.get(a("total", c)) is not None:  # null target: not evaluable
            cells = frozenset(a(r, c) for r in ("total", *OUTCOME_ROWS[apps]))
            out.append(IdentityFailure("identity_A2_failed", c, left, right, cells))
    for r in APP_ROWS[apps]:
        left = v(a(r, "total"))
        right = sum(v(a(r, c)) for c in APPLICANT_COLUMNS)
        if left != right and expected.get(a(r, "total")) is not None:
            out.append(IdentityFailure("identity_A3_failed", r, left, right, frozenset(a(r, c) for c in APP_COLUMNS)))
    for ident, (total_col, parts) in REVIEW_BLOCKS.items():
        left = v(("review_litigation", "cases", total_col))
        right = sum(v(("review_litigation", "cases", c)) for c in parts)
        if left != right and expected.get(("review_litigation", "cases", total_col)) is not None:
            cells = frozenset(("review_litigation", "cases", c) for c in (total_col, *parts))
            out.append(IdentityFailure(f"identity_{ident}_failed", total_col, left, right, cells))
    return out


def seed_layout(seed: str) -> dict[Key, tuple[str, int]]:
    """key -> (printed cell text, 1-based line) of a seed's own numeric cells."""
    text = seed_text(seed)
    tpl = SEED_PLAN[seed]
    out: dict[Key, tuple[str, int]] = {}
    for key, m in zip(slots(tpl, tpl, LOST_LABEL_ROWS.get(seed, ())), numeric_cells(text), strict=True):
        if key[0] != "surplus":
            out[key] = (m.group(0), text.count("\n", 0, m.start()) + 1)
    return out


# ------------------------------------------------------------------------------------------------
# Comparing a parsed report with expected cells
# ------------------------------------------------------------------------------------------------


def fmt_key(key: Key) -> str:
    return "/".join(key)


def cell_mismatches(report, expected: dict) -> list[str]:
    """Every difference between the placed cells and `expected` (key -> value), as readable lines."""
    problems: list[str] = []
    got: dict = {}
    for c in report.cells:
        key = (c.table, c.row, c.column)
        if key in got:
            problems.append(f"duplicate cell {fmt_key(key)}")
        got[key] = c
    for key, want in expected.items():
        cell = got.get(key)
        if cell is None:
            problems.append(f"missing {fmt_key(key)} (expected {want!r})")
        elif want is None:
            if cell.value is not None:
                problems.append(f"{fmt_key(key)}: expected blank (None), got {cell.value!r} raw={cell.raw!r}")
        elif isinstance(cell.value, bool) or cell.value is None or abs(cell.value - want) > 1e-9 * max(1, abs(want)):
            problems.append(f"{fmt_key(key)}: expected {want!r}, got {cell.value!r} raw={cell.raw!r}")
    for key in got.keys() - expected.keys():
        problems.append(f"unexpected cell {fmt_key(key)} = {got[key].value!r} raw={got[key].raw!r}")
    return problems
