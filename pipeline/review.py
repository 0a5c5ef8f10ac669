"""Section 四: the review and litigation table, one data row of 15 values (spec §6)."""

from __future__ import annotations

from pipeline.layout import LogicalRow
from pipeline.place import Placer, place_reading
from pipeline.surplus import r123
from pipeline.templates import REVIEW_COLUMNS, REVIEW_ROW

TABLE = "review_litigation"
WIDTH = len(REVIEW_COLUMNS)


def extract_review(rows: list[LogicalRow], placer: Placer) -> None:
    """Place the row of 15 values as printed. A row split over several lines is joined only when the pieces
    add up to 15 and R1–R3 hold on the joined row (a piece may be another table's stray values); a row
    with more values is read only as its identities certify (`pipeline.surplus`)."""
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
    values = tuple(t.value.value if t.value is not None else None for t in joined)
    replaced = any(t.value is not None and t.value.replaced for t in joined)  # U+FFFD: its number is unknown
    if len(joined) == WIDTH and not replaced and r123(values):
        placer.find("info", "row_joined", f"review_litigation: the data row spans {len(data)} lines",
                    table=TABLE, line=data[0].line)
        placer.place_row(TABLE, REVIEW_ROW, REVIEW_COLUMNS, joined)
        return
    if len(joined) == WIDTH:
        raw = " | ".join(t.raw for t in joined)
        placer.find("error", "row_pieces_unconfirmed",
                    f"review_litigation: {len(data)} pieces on different lines make 15 values ({raw}), but R1–R3 "
                    "do not confirm them together: one piece may belong elsewhere; cells left out",
                    table=TABLE, row=REVIEW_ROW, line=data[0].line, raw=raw)
        return
    if len(data) == 1 and len(joined) > WIDTH:
        place_reading(placer, TABLE, REVIEW_ROW, REVIEW_COLUMNS, joined, data[0].line, r123)
        return
    raw = " | ".join(t.raw for t in joined)
    placer.find("error", "value_count_mismatch",
                f"review_litigation: {len(joined)} values for {WIDTH} columns: {raw}",
                table=TABLE, row=REVIEW_ROW, line=data[0].line, raw=raw)
