"""Numbers split by the layout (issue 6, item 5): a `10` printed as `1` and `0` in two cells.

PDF text layers and Word-to-HTML exports sometimes put the digits of one number into two cells. The
parser never glues or spreads cells on suspicion; this module only *reports* a suspected split, as the
warning `split_number_suspected`, when

1. an identity check (spec §7) on a row's table failed, and
2. joining two adjacent single-digit cells of that row (the first digit not 0) makes every identity that
   touches the row hold again, under one of two readings of where the extra cell went:

   * `blank`: the second digit took the place of a blank cell next to it (the row kept its width);
   * `shift`: the row had one cell too many, so its first printed value was dropped as a surplus
     (finding `surplus_cells`) and every value moved one column to the right.

A pure function of the placed cells, the identity checks and the findings already made: it returns new
findings and never changes a cell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from pipeline.identities import Identity, identities
from pipeline.model import Cell, Check, Finding
from pipeline.normalize import parse_value
from pipeline.templates import APPLICATION_COLUMNS, REVIEW_COLUMNS

CODE = "split_number_suspected"
_ROW_COLUMNS = {"applications": APPLICATION_COLUMNS, "review_litigation": REVIEW_COLUMNS}
_TOLERANCE = 1e-9

Key = tuple[str, str, str]


@dataclass(frozen=True)
class _Hypothesis:
    reading: str  # blank | shift
    values: tuple[float | None, ...]  # the row as it would be
    cells: tuple[str, ...]  # the two printed cells joined: column keys, or "surplus" for the dropped cell
    raws: tuple[str, str]
    joined: int


@cache
def _known() -> dict[tuple[str, str, str, str], Identity]:
    """Every identity of either template by (id, table, target, formula): one object per key, and objects of
    different keys never compare equal, so the key stands for the identity."""
    return {(i.id, i.table, i.target_name, i.formula): i for tpl in ("2019", "2021") for i in identities(tpl)}


def _definitions(checks: list[Check]) -> list[Identity]:
    """The identities behind the checks (matched on id, target and formula: no template needed)."""
    known = _known()
    out: dict[tuple[str, str, str, str], Identity] = {}
    for c in checks:
        key = (c.identity, c.table, c.target, c.formula)
        ident = known.get(key)
        if ident is not None and key not in out:
            out[key] = ident
    return list(out.values())


def _holds(ident: Identity, values: dict[Key, float | None]) -> bool | None:
    """True / False, or None when not evaluable (a cell missing, or a blank target): spec §7.6."""
    keys = ident.left + ident.right
    if any(k not in values for k in keys) or values[ident.target] is None:
        return None
    left = sum(float(values[k] or 0) for k in ident.left)
    right = sum(float(values[k] or 0) for k in ident.right)
    return abs(left - right) <= _TOLERANCE


def _digit(raw: str) -> bool:
    return len(raw) == 1 and raw.isdigit()


def _surplus(findings: Iterable[Finding], table: str, row: str) -> list[str]:
    for f in findings:
        if f.code == "surplus_cells" and f.table == table and f.row == row and f.raw is not None:
            return [r.strip() for r in f.raw.split("|")]
    return []


def _hypotheses(columns: tuple[str, ...], raws: list[str], values: list[float | None],
                surplus: list[str]) -> list[_Hypothesis]:
    out: list[_Hypothesis] = []
    n = len(columns)
    for i in range(n - 1):  # blank: the second digit sits in the neighbour's (blank) place
        a, b = raws[i], raws[i + 1]
        if _digit(a) and _digit(b) and a != "0":
            row = list(values)
            row[i], row[i + 1] = float(a + b), None
            out.append(_Hypothesis("blank", tuple(row), (columns[i], columns[i + 1]), (a, b), int(a + b)))
    if len(surplus) == 1:  # shift: one cell too many, its first printed value dropped as surplus
        first = parse_value(surplus[0])
        printed_raws = [surplus[0], *raws]
        printed = [None if first is None or first.value is None else float(first.value), *values]
        names = ("surplus", *columns)
        for j in range(n):
            a, b = printed_raws[j], printed_raws[j + 1]
            if _digit(a) and _digit(b) and a != "0":
                row = [*printed[:j], float(a + b), *printed[j + 2:]]
                out.append(_Hypothesis("shift", tuple(row), (names[j], names[j + 1]), (a, b), int(a + b)))
    return out


def suspect_split_numbers(cells: list[Cell], checks: list[Check], findings: Iterable[Finding] = ()) -> list[Finding]:
    """`split_number_suspected` warnings for rows where joining two single-digit cells fixes the identities."""
    findings = list(findings)
    failed = [c for c in checks if c.status == "fail"]
    if not failed:
        return []
    defs = _definitions(checks)
    failing = _definitions(failed)
    failing_ids = set(map(id, failing))
    by_key = {(c.table, c.row, c.column): c for c in cells}
    values: dict[Key, float | None] = {k: (None if c.value is None else float(c.value)) for k, c in by_key.items()}
    rows = list(dict.fromkeys((t, r) for ident in failing for t, r, _ in ident.left + ident.right))
    out: list[Finding] = []
    for table, row in rows:
        columns = _ROW_COLUMNS.get(table)
        if columns is None or any((table, row, c) not in by_key for c in columns):
            continue
        touching = [i for i in defs if (table, row) in i.rows]
        if not any(id(i) in failing_ids for i in touching):  # `_known` gives one object per identity
            continue
        raws = [by_key[(table, row, c)].raw.strip() for c in columns]
        row_values = [values[(table, row, c)] for c in columns]
        fixes = []
        for hyp in _hypotheses(columns, raws, row_values, _surplus(findings, table, row)):
            trial = dict(values)
            trial.update({(table, row, c): v for c, v in zip(columns, hyp.values, strict=True)})
            outcomes = [_holds(i, trial) for i in touching]
            if any(o is False for o in outcomes) or not any(o is True for o in outcomes):
                continue
            fixes.append(hyp)
        if fixes:
            out.append(_finding(table, row, fixes, by_key, touching))
    return out


def _finding(table: str, row: str, fixes: list[_Hypothesis], by_key: dict[Key, Cell],
             touching: list[Identity]) -> Finding:
    hyp = fixes[0]
    where = " and ".join(f"{name} {raw!r}" for name, raw in zip(hyp.cells, hyp.raws, strict=True))
    more = f" ({len(fixes) - 1} other join(s) would also fix it)" if len(fixes) > 1 else ""
    ids = ", ".join(sorted({i.id for i in touching}))
    reading = ("the second digit took a blank cell's place" if hyp.reading == "blank"
               else "the row had one cell too many and every value moved one column right")
    columns = [c for c in hyp.cells if c != "surplus"]
    first = by_key.get((table, row, columns[0])) if columns else None
    return Finding(
        "warning", CODE,
        f"{table}.{row}: {where} may be one number {hyp.joined} split over two cells by the layout "
        f"({reading}); joined, {ids} would hold{more}. The cells are kept as printed.",
        table=table, row=row, column=columns[0] if columns else None,
        line=first.line if first else None,
        cells=[[table, row, c] for c in columns],
        raw=" | ".join(hyp.raws),
    )
