"""The 2019 ↔ 2021 crosswalk (spec §8) as data: every field of both templates → a canonical measure.

Each source field (template, table, row, column) maps to exactly one canonical measure with a
comparability class:

* ``exact``: same definition and unit; the two formats form one series;
* ``derived``: comparable after summing 2021 sub-rows (（六）其他处理);
* ``approx``: the same concept with a different definition or scope; shown with its caveat;
* ``none``: a different measure, or present in one format only; never put in one series.

The SQL marts read this table from ``dbt_like_sql/seeds/canonical_mapping.csv``, which
``python -m pipeline.crosswalk`` writes and a test keeps identical to this module.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from dataclasses import astuple, dataclass, fields
from pathlib import Path

from pipeline.templates import APPLICATION_COLUMNS, APPLICATION_ROWS, DISCLOSURE_TABLES, REVIEW_COLUMNS, REVIEW_ROW

CSV_PATH = Path(__file__).resolve().parent.parent / "dbt_like_sql" / "seeds" / "canonical_mapping.csv"

_OTHER_2021 = ("other_overdue_correction", "other_overdue_fee", "other_other")


@dataclass(frozen=True)
class Mapping:
    template: str
    source_table: str
    source_row: str
    source_column: str
    canonical_table: str
    canonical_row: str
    canonical_column: str
    comparability: str  # exact | derived | approx | none
    unit: str
    caveat: str


_MADE = "2019 本年新制作数量 (made) vs 2021 本年制发件数 (formulated and issued); 2019 has no definition"
_DECIDED = "close to exact: decisions made this year; 2019 reports filled the column inconsistently"
_STOCK = (
    "weak: 2019 对外公开总数量 counts every document ever published (repealed ones included); "
    "2021 现行有效件数 is the stock in force. Show side by side, never as one series"
)
_FEE_COUNT = "2019 counts fee ITEMS; 2021 reports an AMOUNT in 万元: never one series"

# Section 二, per (table, row, column, template): (canonical column, comparability, caveat).
_SEC2: dict[tuple[str, str, str], tuple[str, str, str]] = {
    ("art20_1", "new_made", "2019"): ("issued", "approx", _MADE),
    ("art20_1", "issued", "2021"): ("issued", "approx", _MADE),
    ("art20_1", "new_published", "2019"): ("new_published", "none", "2019 only: 本年新公开数量"),
    ("art20_1", "total_published", "2019"): ("in_force", "approx", _STOCK),
    ("art20_1", "in_force", "2021"): ("in_force", "approx", _STOCK),
    ("art20_1", "repealed", "2021"): ("repealed", "none", "2021 only: 本年废止件数"),
    ("art20_5", "decisions", "2019"): ("decisions", "approx", _DECIDED),
    ("art20_5", "decisions", "2021"): ("decisions", "approx", _DECIDED),
    ("art20_5", "prev_year_items", "2019"): ("prev_year_items", "none", "2019 only: 上一年项目数量"),
    ("art20_5", "items_change", "2019"): ("items_change", "none", "2019 only: 本年增/减 (signed)"),
    ("art20_6", "decisions", "2019"): ("decisions", "approx", _DECIDED),
    ("art20_6", "decisions", "2021"): ("decisions", "approx", _DECIDED),
    ("art20_6", "prev_year_items", "2019"): ("prev_year_items", "none", "2019 only: 上一年项目数量"),
    ("art20_6", "items_change", "2019"): ("items_change", "none", "2019 only: 本年增/减 (signed)"),
    ("art20_8", "prev_year_items", "2019"): ("fee_item_count_prev_year", "none", _FEE_COUNT),
    ("art20_8", "items_change", "2019"): ("fee_item_count_change", "none", _FEE_COUNT),
    ("art20_8", "fee_amount_wan_yuan", "2021"): (
        "fee_amount_wan_yuan", "none", "2021 only: an amount in 万元; 2019 counted fee items instead"),
    ("art20_9", "procurement_projects", "2019"): ("procurement_projects", "none", "2019 only: 政府集中采购"),
    ("art20_9", "procurement_amount", "2019"): (
        "procurement_amount", "none", "2019 only: 政府集中采购; unit as written in the cell (元 after conversion)"),
}
_SEC2_ROW_CAVEAT = {
    ("art20_1", "normative_documents"): "scope differs: 2019 规范性文件 (broad) vs 2021 行政规范性文件 (narrower)",
    ("art20_5", "other_admin_services"): (
        "2019 only: 其他对外管理服务事项, may overlap with penalties; never add it to anything"
    ),
}
_UNITS = {"fee_amount_wan_yuan": "万元", "procurement_amount": "元"}


def mappings() -> list[Mapping]:
    out: list[Mapping] = []
    for tpl in ("2019", "2021"):
        for key, table in DISCLOSURE_TABLES.items():
            for item in table.rows.get(tpl, ()):
                for measure in table.measures[tpl]:
                    canon, comp, caveat = _SEC2[(key, measure.key, tpl)]
                    if item.key == "other_admin_services":  # the whole row exists in 2019 only
                        comp, caveat = "none", _SEC2_ROW_CAVEAT[(key, item.key)]
                    elif (key, item.key) in _SEC2_ROW_CAVEAT:
                        caveat = f"{caveat}; {_SEC2_ROW_CAVEAT[(key, item.key)]}"
                    unit = _UNITS.get(measure.key, "件")
                    out.append(Mapping(tpl, key, item.key, measure.key, key, item.key, canon, comp, unit, caveat))
        for row in APPLICATION_ROWS[tpl]:
            if row.key == "other_processing":
                canon_row, comp, caveat = "other_processing", "derived", "2021 = the sum of its three （六） sub-rows"
            elif row.key in _OTHER_2021:
                # Each 2021 sub-row maps twice: on its own (2021 only) and into the derived 2019 row.
                out += [
                    Mapping(tpl, "applications", row.key, col, "applications", "other_processing", col,
                            "derived", "件", "summed with the other two （六） sub-rows = 2019 （六）其他处理")
                    for col in APPLICATION_COLUMNS
                ]
                canon_row, comp, caveat = row.key, "none", "2021 only: a sub-row of （六）其他处理"
            else:
                canon_row, comp, caveat = row.key, "exact", ""
            out += [
                Mapping(tpl, "applications", row.key, col, "applications", canon_row, col, comp, "件", caveat)
                for col in APPLICATION_COLUMNS
            ]
        for col in REVIEW_COLUMNS:
            out.append(Mapping(tpl, "review_litigation", REVIEW_ROW, col, "review_litigation", REVIEW_ROW, col,
                               "exact", "件", ""))
    return out


def to_csv(rows: list[Mapping]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([f.name for f in fields(Mapping)])
    writer.writerows(astuple(r) for r in rows)
    return buf.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Write the crosswalk seed file (`--help` only describes it and writes nothing)."""
    parser = argparse.ArgumentParser(
        prog="python -m pipeline.crosswalk",
        description=f"Write the 2019 ↔ 2021 crosswalk (spec §8) to {CSV_PATH.relative_to(CSV_PATH.parents[2])}, "
        "the seed the SQL marts read; tests/pipeline/test_crosswalk.py keeps the file identical to this module.",
    )
    parser.parse_args(argv)
    CSV_PATH.parent.mkdir(parents=True, exist_ok=True)
    CSV_PATH.write_text(to_csv(mappings()), encoding="utf-8")
    print(f"wrote {CSV_PATH} ({len(mappings())} rows)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
