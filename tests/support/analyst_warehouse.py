"""The warehouse the analyst-facing tests query: the five sample reports, the fictional bodies' samples of
data/raw/ (synthetic/fictional_bodies.py) and a synthetic multi-year set of the sample bodies.

The sample data (data/raw/) has one report per body, so on its own no cross-year mart has a pair of
years. The synthetic reports (synthetic.corpus) add earlier and later years for the same bodies, under
name variants the body rule must join (`万东镇` / `万东镇人民政府`, `克井镇` / `克井镇人民政府`,
`湘乡市泉塘镇人民政府` / `泉塘镇`) and three 东湖街道 it must keep apart. Their values are set by hand where a
test pins them (continuity, stock balance, applications from legal persons) and satisfy A1–A3, R1–R3
unless said otherwise.

The graph is materialised once per test process (`built(tmp_path_factory)`), like tests/assets/test_warehouse_build.py.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import pytest

from pipeline.templates import APPLICANT_COLUMNS, APPLICATION_ROWS, OUTCOME_ROWS
from synthetic.corpus import SynthReport, document, make_values, render
from synthetic.fictional_bodies import PREFIX as FICTIONAL_PREFIX
from tests.support import SAMPLES
from tests.support.warehouse_support import columns, query

# The five sample reports (pinned by name: other files may land in data/raw/ while readers are developed).
SAMPLE_FILES = (
    "2019_wandong-zhen.utf8-bom.txt",  # 万东镇人民政府, 2019, 2019 format
    "2023_quantang-zhen.txt",  # 泉塘镇, 2023, 2021 format
    "2024_changgao-xiang_beipiao-shi.gb18030.txt",  # 北票市长皋乡人民政府, 2024, 2021 format
    "2024_huaping-zhen_zhenjiang-qu.txt",  # 浈江区花坪镇, 2024, 2019 format
    "2024_kejing-zhen.utf16.txt",  # 克井镇人民政府, 2024, 2021 format
)

App = dict[str, dict[str, int]]  # row -> applicant column -> value


@dataclass(frozen=True)
class Synth:
    file: str
    organization: str
    year: int
    template: str
    seed: int
    # per applicant column (the six, not total): new_received is computed so that A1 holds
    carried_over: dict[str, int]
    carried_forward: dict[str, int]
    granted: dict[str, int]
    # section 二 / review overrides: (table, row, column) -> value
    overrides: dict[tuple[str, str, str], int | float | None]
    a1_offset: int = 0  # added to new_received[natural_person] (and its row total): breaks A1 on purpose


def _cols(natural: int, commercial: int = 0, research: int = 0, welfare: int = 0, legal: int = 0, other: int = 0):
    return dict(zip(APPLICANT_COLUMNS, (natural, commercial, research, welfare, legal, other), strict=True))


ZERO = _cols(0)

# 万东镇: 2019 (sample, 2019 format: every application cell 0 except none) → 2020 (2019 format, "万东镇")
# → 2021, 2022 (2021 format). Continuity: 2019→2020 passes, 2020→2021 fails on natural_person (3 vs 4),
# 2021→2022 passes. in_force balance 2022: regulations 5 = 4 + 2 − 1 (pass), normative 30 ≠ 20 + 6 − 0 (fail).
SYNTH: tuple[Synth, ...] = (
    Synth(
        "2020_wandong-zhen_synth.txt", "万东镇", 2020, "2019", 1,
        carried_over=ZERO, carried_forward=_cols(3, 1), granted=_cols(20, 4, 0, 0, 2, 1),
        overrides={
            ("art20_1", "regulations", "new_made"): 1, ("art20_1", "regulations", "total_published"): 9,
            ("art20_1", "normative_documents", "new_made"): 7,
            ("art20_1", "normative_documents", "total_published"): 40,
            ("art20_6", "penalty", "decisions"): 12, ("art20_6", "coercion", "decisions"): 2,
            ("art20_5", "licensing", "decisions"): 30,
            ("applications", "partially_granted", "natural_person"): 4,
            # items_stock_2019 against the sample's 2019 report (licensing 0 | 3 | 3, everything else 0):
            # licensing 3 = 0 + 3 passes, penalty 1 ≠ 0 + 0 fails, the rest pass.
            ("art20_5", "licensing", "prev_year_items"): 3, ("art20_5", "licensing", "items_change"): 2,
            ("art20_5", "other_admin_services", "prev_year_items"): 0,
            ("art20_5", "other_admin_services", "items_change"): 0,
            ("art20_6", "penalty", "prev_year_items"): 1, ("art20_6", "penalty", "items_change"): 0,
            ("art20_6", "coercion", "prev_year_items"): 0, ("art20_6", "coercion", "items_change"): 0,
            ("art20_8", "admin_fees", "prev_year_items"): 0, ("art20_8", "admin_fees", "items_change"): 0,
            ("review_litigation", "cases", "review_upheld"): 2,
            ("review_litigation", "cases", "review_corrected"): 1,
            ("review_litigation", "cases", "review_other"): 0,
            ("review_litigation", "cases", "review_pending"): 1,
            ("review_litigation", "cases", "review_total"): 4,
        },
    ),
    Synth(
        "2021_wandong-zhen_synth.txt", "万东镇人民政府", 2021, "2021", 2,
        carried_over=_cols(4, 1), carried_forward=_cols(2), granted=_cols(25, 6, 1, 0, 3, 2),
        overrides={
            ("art20_1", "regulations", "issued"): 2, ("art20_1", "regulations", "repealed"): 0,
            ("art20_1", "regulations", "in_force"): 4,
            ("art20_1", "normative_documents", "issued"): 5, ("art20_1", "normative_documents", "repealed"): 3,
            ("art20_1", "normative_documents", "in_force"): 20,
            ("art20_6", "penalty", "decisions"): 15, ("art20_6", "coercion", "decisions"): 1,
            ("art20_5", "licensing", "decisions"): 33,
            ("applications", "other_overdue_correction", "natural_person"): 2,
            ("applications", "other_overdue_fee", "natural_person"): 1,
            ("applications", "other_other", "natural_person"): 0,
            ("review_litigation", "cases", "review_upheld"): 1,
            ("review_litigation", "cases", "review_corrected"): 0,
            ("review_litigation", "cases", "review_other"): 0,
            ("review_litigation", "cases", "review_pending"): 0,
            ("review_litigation", "cases", "review_total"): 1,
        },
    ),
    Synth(
        "2022_wandong-zhen_synth.txt", "万东镇人民政府", 2022, "2021", 3,
        carried_over=_cols(2), carried_forward=ZERO, granted=_cols(18, 9, 0, 2, 0, 1),
        overrides={
            ("art20_1", "regulations", "issued"): 2, ("art20_1", "regulations", "repealed"): 1,
            ("art20_1", "regulations", "in_force"): 5,
            ("art20_1", "normative_documents", "issued"): 6, ("art20_1", "normative_documents", "repealed"): 0,
            ("art20_1", "normative_documents", "in_force"): 30,
            ("art20_6", "penalty", "decisions"): 9, ("art20_6", "coercion", "decisions"): 0,
            ("art20_5", "licensing", "decisions"): 41,
            ("applications", "denied_state_secret", "natural_person"): 2,
            ("applications", "unable_no_info", "natural_person"): 3,
            ("review_litigation", "cases", "review_upheld"): 0,
            ("review_litigation", "cases", "review_corrected"): 0,
            ("review_litigation", "cases", "review_other"): 0,
            ("review_litigation", "cases", "review_pending"): 0,
            ("review_litigation", "cases", "review_total"): 0,
        },
    ),
    # 北票市长皋乡人民政府 2019 (2019 format) before the sample's 2024 report (2021 format).
    Synth("2019_changgao-xiang_synth.txt", "北票市长皋乡人民政府", 2019, "2019", 10,
          carried_over=ZERO, carried_forward=ZERO, granted=_cols(9, 2, 0, 0, 1, 0),
          overrides={("applications", "unable_need_creation", "commercial_enterprise"): 1}),
    # 克井镇 2023 (2021 format) under its short name, before the sample's 克井镇人民政府 2024.
    Synth(
        "2023_kejing-zhen_synth.txt", "克井镇", 2023, "2021", 4,
        carried_over=ZERO, carried_forward=ZERO, granted=_cols(10, 5, 0, 0, 0, 0),
        overrides={("art20_6", "penalty", "decisions"): 6},
    ),
    # 湘乡市泉塘镇人民政府 2022 in the 2019 format (a body may keep the old format): with the sample's bare
    # 泉塘镇 (2023, 2021 format) it is one body that crosses the formats.
    Synth(
        "2022_quantang-zhen_synth.txt", "湘乡市泉塘镇人民政府", 2022, "2019", 5,
        carried_over=ZERO, carried_forward=ZERO, granted=_cols(7, 3, 0, 0, 1, 0),
        overrides={("art20_6", "penalty", "decisions"): 4},
    ),
    # Two different 东湖街道 and a bare one that could be either: never merged.
    Synth("2021_donghu-xiangxiang_synth.txt", "湘乡市东湖街道", 2021, "2021", 11,
          carried_over=ZERO, carried_forward=ZERO, granted=_cols(4, 8), overrides={}),
    Synth("2022_donghu-xiangxiang_synth.txt", "湘乡市东湖街道", 2022, "2021", 6,
          carried_over=ZERO, carried_forward=ZERO, granted=_cols(5), overrides={}),
    Synth("2022_donghu-ningxiang_synth.txt", "宁乡市东湖街道", 2022, "2021", 7,
          carried_over=ZERO, carried_forward=ZERO, granted=_cols(6), overrides={}),
    Synth("2023_donghu_synth.txt", "东湖街道", 2023, "2021", 8,
          carried_over=ZERO, carried_forward=ZERO, granted=_cols(7), overrides={}),
    # 浈江区花坪镇 2023 (2019 format, like the sample's 2024 report) with 2 new applications that go nowhere.
    Synth("2023_huaping-zhen_synth.txt", "浈江区花坪镇", 2023, "2019", 9,
          carried_over=ZERO, carried_forward=ZERO, granted=_cols(3, 1), a1_offset=2,
          overrides={(t, r, c): 0 for t, r in (("art20_5", "licensing"), ("art20_5", "other_admin_services"),
                                               ("art20_6", "penalty"), ("art20_6", "coercion"),
                                               ("art20_8", "admin_fees"))
                     for c in ("prev_year_items", "items_change")} | {("art20_6", "penalty", "decisions"): 5}),
)


def synth_values(s: Synth) -> dict[tuple[str, str, str], int | float | None]:
    """Random section 二 and 四 values (make_values), then the application table built by hand."""
    values = make_values(s.template, random.Random(s.seed))
    app = "applications"
    for row in OUTCOME_ROWS[s.template]:
        for c in APPLICANT_COLUMNS:
            values[(app, row, c)] = 0
    for (table, row, column), v in s.overrides.items():
        values[(table, row, column)] = v
    for c in APPLICANT_COLUMNS:
        values[(app, "granted", c)] = s.granted[c]
        total = sum(values[(app, r, c)] or 0 for r in OUTCOME_ROWS[s.template])  # A2
        values[(app, "total", c)] = total
        values[(app, "carried_over", c)] = s.carried_over[c]
        values[(app, "carried_forward", c)] = s.carried_forward[c]
        values[(app, "new_received", c)] = total + s.carried_forward[c] - s.carried_over[c]  # A1
        assert values[(app, "new_received", c)] >= 0, (s.file, c)
    values[(app, "new_received", "natural_person")] += s.a1_offset
    for row in APPLICATION_ROWS[s.template]:
        values[(app, row.key, "total")] = sum(values[(app, row.key, c)] or 0 for c in APPLICANT_COLUMNS)  # A3
    return values


def synth_text(s: Synth) -> str:
    report = SynthReport(s.file, s.template, "pipe", "utf-8", s.organization, s.year, f"{s.year + 1}-01-20",
                         synth_values(s))
    return render(document(report, random.Random(s.seed)), "pipe")


@dataclass
class Warehouse:
    db: Path
    result: dg.ExecuteInProcessResult

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        return query(self.db, sql, params)

    def columns(self, sql: str) -> tuple[list[str], list[tuple]]:
        return columns(self.db, sql)


def write_raw(raw: Path) -> None:
    raw.mkdir(parents=True, exist_ok=True)
    for name in SAMPLE_FILES:
        shutil.copy(SAMPLES / name, raw / name)
    for sample in SAMPLES.glob(f"{FICTIONAL_PREFIX}*"):  # the fictional bodies make run shows (examples 4, 7)
        shutil.copy(sample, raw / sample.name)
    for s in SYNTH:
        (raw / s.file).write_text(synth_text(s), encoding="utf-8")


def build(root: Path) -> Warehouse:
    """Materialise every asset on the sample + synthetic reports into root/warehouse.duckdb."""
    from assets.definitions import defs
    from assets.defs.automation import JOB_NAME

    raw = root / "raw"
    write_raw(raw)
    db = root / "warehouse.duckdb"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAW_DIR", str(raw))
        mp.setenv("PARQUET_DIR", str(root / "parquet"))
        mp.setenv("WAREHOUSE_DB", str(db))
        mp.delenv("CHARTS_DIR", raising=False)  # charts/ beside the warehouse file
        with dg.DagsterInstance.ephemeral() as instance:
            result = defs().resolve_job_def(JOB_NAME).execute_in_process(instance=instance)
    # the analysts' (published) file; a graph without a publish step leaves only the file it built
    if not db.exists():
        db = next(root.glob("**/warehouse.duckdb"))
    return Warehouse(db, result)


_BUILT: dict[str, Warehouse] = {}


def built(tmp_path_factory) -> Warehouse:
    """The warehouse, built once per test process and shared by the test modules that ask for it."""
    if "w" not in _BUILT:
        _BUILT["w"] = build(tmp_path_factory.mktemp("analyst_warehouse"))
    return _BUILT["w"]
