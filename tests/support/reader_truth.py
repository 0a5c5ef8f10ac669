"""Ground truth of the HTML / DOCX / PDF fixtures (tests/fixtures/{html,docx,pdf}/).

Each fixture report has known values: every leaf cell distinct and non-zero, totals computed so that
the identities A1–A3 and R1–R3 hold, and a few leaf cells printed blank (`&nbsp;` in HTML, an empty
cell in Word) whose expected value is None (they count as 0 in the identities). The values come from
plain arithmetic, no random generator, so the fixtures (built once by tests/fixtures/make_fixtures.py
and committed) and the tests always agree.

The key vocabulary is the tests' own (tests/support/variants.py, written from the spec), never the parser's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.support import FIXTURES
from tests.support import variants as V

Key = tuple[str, str, str]


@dataclass(frozen=True)
class Truth:
    name: str
    template: str
    organization: str
    report_year: int
    published_on: str | None
    values: dict[Key, int | float | None]
    raws: dict[Key, str] = field(default_factory=dict)  # printed text where it differs from str(value)
    units: dict[Key, str | None] = field(default_factory=dict)


def _values(template: str, multiplier: int, blanks: tuple[Key, ...], money: dict[Key, float],
            signed: dict[Key, int]) -> dict[Key, int | float | None]:
    """Distinct non-zero leaves from a fixed permutation of 10..1006, totals derived, blanks as None."""
    for m in range(multiplier, multiplier + 500):
        k = 0
        vals: dict[Key, int | float] = {}

        def nxt(m: int = m) -> int:
            nonlocal k
            k += 1
            return 10 + (k * m) % 997

        for table, rows, cols in V.SEC2[template]:
            for r in rows:
                for c in cols:
                    vals[(table, r, c)] = nxt()
        for r in (*V.OUTCOME_ROWS[template], "carried_over", "carried_forward"):
            for c in V.APPLICANT_COLUMNS:
                vals[("applications", r, c)] = nxt()
        for c in V.REVIEW_COLUMNS:
            vals[("review_litigation", "cases", c)] = nxt()
        vals.update(money)
        vals.update(signed)
        for key in blanks:
            vals[key] = 0
        for c in V.APPLICANT_COLUMNS:
            total = sum(vals[("applications", r, c)] for r in V.OUTCOME_ROWS[template])
            vals[("applications", "total", c)] = total
            vals[("applications", "new_received", c)] = (
                total + vals[("applications", "carried_forward", c)] - vals[("applications", "carried_over", c)]
            )
        for r in V.APP_ROWS[template]:
            vals[("applications", r, "total")] = sum(vals[("applications", r, c)] for c in V.APPLICANT_COLUMNS)
        for total_col, parts in V.REVIEW_BLOCKS.values():
            review = [vals[("review_litigation", "cases", c)] for c in parts]
            vals[("review_litigation", "cases", total_col)] = sum(review)
        live = [v for key, v in vals.items() if key not in blanks]
        if all(v != 0 for v in live) and min(v for v in live) > -100 and len(set(live)) == len(live):
            out: dict[Key, int | float | None] = dict(vals)
            for key in blanks:
                out[key] = None
            return out
    raise RuntimeError("no multiplier gives distinct values")


# ------------------------------------------------------------------------------------------------
# The fixtures
# ------------------------------------------------------------------------------------------------

HTML_2021_BLANKS: tuple[Key, ...] = (
    ("art20_1", "regulations", "repealed"),
    ("applications", "denied_admin_query", "research_institution"),
    ("applications", "not_processed_massive", "legal_service_org"),
    ("review_litigation", "cases", "litigation_after_review_other"),
)
HTML_2021 = Truth(
    name="html/changgao_2021_gbk.html",
    template="2021",
    organization="北票市长皋乡人民政府",
    report_year=2021,
    published_on="2022-01-18",
    values=_values("2021", 389, HTML_2021_BLANKS, {("art20_8", "admin_fees", "fee_amount_wan_yuan"): 12.3456}, {}),
    raws={("art20_8", "admin_fees", "fee_amount_wan_yuan"): "12.3456"},
    units={("art20_8", "admin_fees", "fee_amount_wan_yuan"): None},
)

HTML_2019_BLANKS: tuple[Key, ...] = (
    ("applications", "unable_unclear", "social_welfare_org"),
    ("art20_5", "other_admin_services", "prev_year_items"),
)
HTML_2019 = Truth(
    name="html/wandong_2019_layout.html",
    template="2019",
    organization="万东镇人民政府",
    report_year=2019,
    published_on="2020-01-15",
    values=_values(
        "2019", 577, HTML_2019_BLANKS,
        {("art20_9", "central_procurement", "procurement_amount"): 251000.0},
        {("art20_5", "other_admin_services", "items_change"): -7, ("art20_6", "coercion", "items_change"): -3},
    ),
    raws={
        ("art20_9", "central_procurement", "procurement_amount"): "251000元",
        ("art20_5", "other_admin_services", "items_change"): "-7",
        ("art20_6", "coercion", "items_change"): "-3",
    },
    units={("art20_9", "central_procurement", "procurement_amount"): "元"},
)

DOCX_2021_BLANKS: tuple[Key, ...] = (
    ("applications", "other_overdue_fee", "commercial_enterprise"),
    ("review_litigation", "cases", "litigation_direct_corrected"),
)
DOCX_2021 = Truth(
    name="docx/quantang_2022_merged.docx",
    template="2021",
    organization="泉塘镇",
    report_year=2022,
    published_on="2023-01-10",
    values=_values("2021", 613, DOCX_2021_BLANKS, {("art20_8", "admin_fees", "fee_amount_wan_yuan"): 3.75}, {}),
    raws={("art20_8", "admin_fees", "fee_amount_wan_yuan"): "3.75"},
    units={("art20_8", "admin_fees", "fee_amount_wan_yuan"): None},
)

# The PDFs are LibreOffice renderings of the Word fixtures: the same report, the same truth.
PDF_2021 = Truth(**{**DOCX_2021.__dict__, "name": "pdf/quantang_2022_ruled.pdf"})
DOCX_2021_PLAIN = Truth(**{**DOCX_2021.__dict__, "name": "docx/quantang_2022_borderless.docx"})
PDF_2021_PLAIN = Truth(**{**DOCX_2021.__dict__, "name": "pdf/quantang_2022_borderless.pdf"})
SCANNED_PDF = "pdf/scanned_no_text_layer.pdf"
ENCRYPTED_PDF = "pdf/encrypted_password.pdf"

ALL = (HTML_2021, HTML_2019, DOCX_2021, PDF_2021, DOCX_2021_PLAIN, PDF_2021_PLAIN)


def raw_of(truth: Truth, key: Key) -> str:
    """The text printed in the fixture for a cell ("" for a blank)."""
    v = truth.values[key]
    if v is None:
        return ""
    return truth.raws.get(key, str(v))


def fixture_bytes(truth_or_name: Truth | str) -> bytes:
    name = truth_or_name if isinstance(truth_or_name, str) else truth_or_name.name
    return (FIXTURES / name).read_bytes()


def cell_problems(report, truth: Truth, skip_rows: tuple[tuple[str, str], ...] = ()) -> list[str]:
    """Every expected cell placed once, in its row and column, with its value, raw text and unit, and
    label_inferred False; no other cell. `skip_rows`: (table, row) expected absent (reported instead)."""
    problems: list[str] = []
    got = {}
    for c in report.cells:
        key = (c.table, c.row, c.column)
        if key in got:
            problems.append(f"duplicate {key}")
        got[key] = c
    for key, value in truth.values.items():
        if key[:2] in skip_rows:
            if key in got:
                problems.append(f"{key}: expected absent, got {got[key].value!r}")
            continue
        c = got.get(key)
        if c is None:
            problems.append(f"{key}: missing")
            continue
        if value is None:
            if c.value is not None:
                problems.append(f"{key}: blank expected (None), got {c.value!r} from {c.raw!r}")
        elif c.value is None or abs(float(c.value) - float(value)) > 1e-9 or type(c.value) is not type(value):
            problems.append(f"{key}: expected {value!r}, got {c.value!r} from {c.raw!r}")
        if c.raw != raw_of(truth, key):
            problems.append(f"{key}: raw {c.raw!r}, expected {raw_of(truth, key)!r}")
        if key in truth.units and c.unit != truth.units[key]:
            problems.append(f"{key}: unit {c.unit!r}, expected {truth.units[key]!r}")
        if c.label_inferred:
            problems.append(f"{key}: label_inferred")
    problems += [f"{k}: unexpected cell {got[k].value!r}" for k in got if k not in truth.values]
    return problems
