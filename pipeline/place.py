"""Turning value tokens into cells: types, units, money conversion and value findings (spec §10.3).

Printed numbers are kept as printed. A value that breaks its column's rules (a negative count, a decimal
count) is still placed and reported, because the warehouse must show what the source says.
"""

from __future__ import annotations

from decimal import Decimal

from pipeline.layout import LogicalRow, Token
from pipeline.model import Cell, Finding
from pipeline.normalize import MAX_DIGITS
from pipeline.surplus import Check, decide

_WAN = Decimal(10000)


def shorten(raw: str, keep: int = 40) -> str:
    """A raw text for a message: a 3 MB run of digits is named by its length, not printed."""
    return raw if len(raw) <= keep else f"{raw[:keep]}… ({len(raw):,} characters)"


class Placer:
    """Collects the cells and findings of one report, refusing to place a cell twice."""

    def __init__(self) -> None:
        self.cells: list[Cell] = []
        self.blanks: list[Cell] = []  # the placed cells whose value is null (a printed blank)
        self.findings: list[Finding] = []
        self.values: dict[tuple[str, str, str], int | float | None] = {}  # (table, row, column) → placed value
        self._rows: set[tuple[str, str]] = set()

    def find(self, severity: str, code: str, message: str, **kw: object) -> None:
        self.findings.append(Finding(severity, code, message, **kw))  # type: ignore[arg-type]

    def has(self, table: str, row: str) -> bool:
        return (table, row) in self._rows

    def report_missing_rows(self, table: str, rows: list[str] | tuple[str, ...]) -> None:
        """`row_missing` for every row of the table that was neither placed nor already reported on."""
        mentioned = {f.row for f in self.findings if f.table == table}
        for row in rows:
            if not self.has(table, row) and row not in mentioned:
                self.find("error", "row_missing", f"{table}: row {row} not found", table=table, row=row)

    def place(
        self,
        table: str,
        row: str,
        column: str,
        tok: Token,
        kind: str = "count",
        label_inferred: bool = False,
        provenance: str = "positional",
    ) -> None:
        key = (table, row, column)
        v = tok.value
        if v is not None and v.unplaceable:
            self._unplaceable(table, row, column, tok)
            return
        if key in self.values:
            self.find("error", "duplicate_cell", f"{table}.{row}.{column} appears twice; kept the first",
                      table=table, row=row, column=column, line=tok.line, raw=tok.raw)
            return
        self._rows.add((table, row))
        if v is not None and v.count is not None and kind == "count":
            value, unit = v.count, None  # the common case of `_typed`, worked out once per distinct text
        else:
            value, unit = self._typed(table, row, column, tok, kind)
        self.values[key] = value
        cell = Cell(table, row, column, value, tok.raw, unit, label_inferred, tok.line,
                    "label_inferred" if label_inferred and provenance == "positional" else provenance)
        self.cells.append(cell)
        if value is None:
            self.blanks.append(cell)

    def _unplaceable(self, table: str, row: str, column: str, tok: Token) -> None:
        """The finding for a value cell that is never placed: digits split by a space, bytes lost in decoding,
        or a number longer than any figure (`Value.unplaceable`)."""
        v = tok.value
        where = {"table": table, "row": row, "column": column, "line": tok.line}
        if v.replaced:
            self.find("error", "value_undecodable",
                      f"{table}.{row}.{column}: {shorten(tok.raw)!r} holds bytes that could not be decoded "
                      "(U+FFFD); its number is unknown: not placed", raw=shorten(tok.raw), **where)
        elif v.split_digits:
            self.find("error", "digits_split_by_space",
                      f"{table}.{row}.{column}: {tok.raw!r} holds digits split by a line break or space; "
                      "one number or two? not placed", raw=tok.raw, **where)
        else:
            digits = len(v.value.as_tuple().digits)
            self.find("error", "implausible_value",
                      f"{table}.{row}.{column}: {shorten(tok.raw)} has {digits} digits; no figure of a report has "
                      f"more than {MAX_DIGITS}: not placed", raw=shorten(tok.raw), **where)

    def place_row(
        self,
        table: str,
        row: str,
        columns: tuple[str, ...],
        values: list[Token],
        kinds: tuple[str, ...] | None = None,
        label_inferred: bool = False,
    ) -> None:
        """Place a row's cells in order. The common cell (a plain count, or a blank, in a free position) is
        placed here without the calls of `place`, which is what every other cell goes through: ~200 cells
        a report make this the parser's hottest loop."""
        place, placed, cells, blanks = self.place, self.values, self.cells, self.blanks
        provenance = "label_inferred" if label_inferred else "positional"
        unmarked = True  # the row not yet added to `_rows` here: once per row, not a tuple per cell
        for column, tok, kind in zip(columns, values, kinds or ("count",) * len(columns), strict=True):
            v = tok.value
            if v is None or kind != "count":
                place(table, row, column, tok, kind, label_inferred)
                continue
            key = (table, row, column)
            if key in placed:
                place(table, row, column, tok, kind, label_inferred)
                continue
            count = v.count
            if count is not None:
                cells.append(Cell(table, row, column, count, tok.raw, None, label_inferred, tok.line, provenance))
            elif v.value is None and not v.unplaceable:
                cell = Cell(table, row, column, None, tok.raw, None, label_inferred, tok.line, provenance)
                blanks.append(cell)
                cells.append(cell)
            else:
                place(table, row, column, tok, kind, label_inferred)
                continue
            placed[key] = count
            if unmarked:
                self._rows.add((table, row))
                unmarked = False

    def unplaced(self, table: str, lrow: LogicalRow, why: str) -> None:
        raw = " | ".join(t.raw for t in lrow.labels + lrow.values())
        self.find("error", "cells_unplaced", f"{table}: {why}; cells not placed: {raw}",
                  table=table, line=lrow.line, raw=raw)

    def _typed(
        self, table: str, row: str, column: str, tok: Token, kind: str
    ) -> tuple[int | float | None, str | None]:
        v = tok.value
        if v is None or v.value is None:
            return None, None
        number, unit = v.value, v.unit
        if kind == "count" and unit is None and not v.is_decimal and not v.signed:
            return int(number), None  # the common case: a plain count, nothing to report
        where = {"table": table, "row": row, "column": column, "line": tok.line, "raw": tok.raw}
        if kind == "money_yuan":
            if unit == "万元":
                self.find("info", "money_unit_converted", f"{tok.raw} converted from 万元 to 元", **where)
                number *= _WAN
            elif unit is None:
                self.find("info", "money_unit_missing",
                          f"no unit written in {tok.raw!r}; stored as printed, unit unknown", **where)
            elif unit != "元":
                self.find("error", "invalid_unit", f"unit {unit} in a money column", **where)
            return float(number), unit
        if kind == "money_wan_yuan":
            if unit == "元":
                self.find("info", "money_unit_converted", f"{tok.raw} converted from 元 to 万元", **where)
                number /= _WAN
            elif unit not in (None, "万元"):
                self.find("error", "invalid_unit", f"unit {unit} in a money column", **where)
            return float(number), unit
        if unit in ("元", "万元"):
            self.find("error", "invalid_unit", f"money unit {unit} in a count column", **where)
        if v.is_decimal:
            self.find("error", "decimal_in_count", f"decimal {tok.raw} in a count column", **where)
            return float(number), unit
        if number < 0 and kind != "signed_count":
            self.find("error", "negative_value", f"negative {tok.raw} in a column that cannot be negative",
                      **where)
        return int(number), unit


def place_reading(placer: Placer, table: str, row: str, columns: tuple[str, ...], values: list[Token],
                  line: int | None, check: Check, label_inferred: bool = False) -> bool:
    """A row with more values than columns: placed only on the reading its identity certifies
    (`pipeline.surplus`); otherwise left out with the readings listed. True when placed."""
    raw = " | ".join(t.raw for t in values)
    if any(t.value is not None and t.value.replaced for t in values):
        placer.find("error", "value_undecodable",
                    f"{table}.{row}: {len(values)} values for {len(columns)} columns ({raw}), one holding bytes that "
                    "could not be decoded (U+FFFD): its readings cannot be weighed; cells left out",
                    table=table, row=row, line=line, raw=raw, cells=[[table, row, c] for c in columns])
        return False
    reading, kept, why = decide(values, len(columns), check)
    if reading is None:
        shown = "; ".join(r.describe() for r in kept) or "none"
        placer.find("error", "surplus_ambiguous",
                    f"{table}.{row}: {len(values)} values for {len(columns)} columns ({raw}): {why}; "
                    f"readings: {shown}; cells left out",
                    table=table, row=row, line=line, raw=raw, cells=[[table, row, c] for c in columns])
        return False
    if reading.how == "joined":
        placer.find("warning", "number_joined",
                    f"{table}.{row}: {len(values)} values for {len(columns)} columns ({raw}); read as "
                    f"{reading.describe()}: one number was broken inside its cell, and only this reading "
                    "satisfies the row's identity", table=table, row=row, line=line, raw=raw)
    else:
        dropped = " | ".join(t.raw for t in reading.dropped)
        nonzero = any(t.value is not None and t.value.value not in (None, 0) for t in reading.dropped)
        placer.find("warning", "surplus_value_nonzero" if nonzero else "surplus_cells",
                    f"{table}.{row}: {len(reading.dropped)} leading value(s) left out ({dropped}): the row has "
                    f"{len(values)} values for {len(columns)} columns"
                    + (", and its identity holds without them" if check(reading.values) else ""),
                    table=table, row=row, line=line, raw=dropped)
    provenance = "split_by_identity" if reading.how == "joined" else "positional"
    for column, tok in zip(columns, reading.tokens, strict=True):
        placer.place(table, row, column, tok, label_inferred=label_inferred, provenance=provenance)
    return True
