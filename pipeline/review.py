"""Section 四: the review and litigation table, one data row of 15 values (spec §6)."""

from __future__ import annotations

from pipeline.layout import LogicalRow
from pipeline.place import Placer
from pipeline.templates import REVIEW_COLUMNS, REVIEW_ROW

TABLE = "review_litigation"
WIDTH = len(REVIEW_COLUMNS)


def extract_review(rows: list[LogicalRow], placer: Placer) -> None:
    """Place the row of 15 values; a row split over several lines is joined only if it adds up to 15."""
    data = [r for r in rows if r.value_count()]
    if not data:
        placer.find("error", "table_missing", "review_litigation: no values found", table=TABLE)
        return
    full = [r for r in data if r.value_count() == WIDTH]
    if full:
        placer.place_row(TABLE, REVIEW_ROW, REVIEW_COLUMNS, full[0].values())
        for r in data:
            if r is not full[0]:
                placer.unplaced(TABLE, r, "values outside the table's single data row")
        return
    joined = [t for r in data for t in r.values()]
    if len(joined) == WIDTH:
        placer.find("info", "row_joined", f"review_litigation: the data row spans {len(data)} lines",
                    table=TABLE, line=data[0].line)
        placer.place_row(TABLE, REVIEW_ROW, REVIEW_COLUMNS, joined)
        return
    raw = " | ".join(t.raw for t in joined)
    placer.find("error", "value_count_mismatch",
                f"review_litigation: {len(joined)} values for {WIDTH} columns: {raw}",
                table=TABLE, row=REVIEW_ROW, line=data[0].line, raw=raw)
