"""The accounting identities inside one report (spec §7), declared as data and checked, never enforced.

Blank policy (§7.6): a null target makes the check `not_evaluable`; null operands count as 0 and the
check records `had_nulls`. A failed identity is a finding on the report; the numbers stay as printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from itertools import repeat

from pipeline.model import Cell, Check, Finding
from pipeline.templates import APPLICANT_COLUMNS, APPLICATION_COLUMNS, APPLICATION_ROWS, OUTCOME_ROWS

_TOLERANCE = 1e-9
_ABSENT = object()  # a cell that was not placed (None is a placed blank)


@dataclass(frozen=True)
class Identity:
    """target = sum(operands), each side a list of (table, row, column)."""

    id: str
    table: str
    target_name: str
    left: tuple[tuple[str, str, str], ...]
    right: tuple[tuple[str, str, str], ...]
    formula: str

    @cached_property
    def cells(self) -> tuple[tuple[str, str, str], ...]:
        """`left + right`, built once: every report's check reads them in this order."""
        return self.left + self.right

    @cached_property
    def keys(self) -> frozenset[tuple[str, str, str]]:
        """Every cell the identity reads."""
        return frozenset(self.cells)

    @cached_property
    def rows(self) -> frozenset[tuple[str, str]]:
        """The (table, row) of every cell the identity reads."""
        return frozenset(k[:2] for k in self.cells)

    @cached_property
    def target_at(self) -> int:
        """The position of `target` in `cells`: the first cell of the right side for A1, else of the left."""
        return len(self.left) if self.id == "A1" else 0

    @property
    def target(self) -> tuple[str, str, str]:
        """The printed total the identity is about: a blank here makes the check not evaluable."""
        return self.cells[self.target_at]


@cache  # data, the same for every report of a template
def identities(template: str) -> tuple[Identity, ...]:
    """Every identity that applies to a report whose application table has this template."""
    out: list[Identity] = []
    app = "applications"
    if template in APPLICATION_ROWS:
        outcome = OUTCOME_ROWS[template]
        for c in APPLICATION_COLUMNS:
            out.append(Identity(
                "A1", app, c,
                ((app, "new_received", c), (app, "carried_over", c)),
                ((app, "total", c), (app, "carried_forward", c)),
                f"new_received[{c}] + carried_over[{c}] = total[{c}] + carried_forward[{c}]",
            ))
            out.append(Identity(
                "A2", app, c,
                ((app, "total", c),),
                tuple((app, r, c) for r in outcome),
                f"total[{c}] = sum of the {len(outcome)} outcome rows[{c}]",
            ))
        for row in (r.key for r in APPLICATION_ROWS[template]):
            out.append(Identity(
                "A3", app, row,
                ((app, row, "total"),),
                tuple((app, row, c) for c in APPLICANT_COLUMNS),
                f"{row}[total] = sum of the six applicant columns of {row}",
            ))
    rl = "review_litigation"
    for rid, prefix in (("R1", "review"), ("R2", "litigation_direct"), ("R3", "litigation_after_review")):
        parts = tuple((rl, "cases", f"{prefix}_{p}") for p in ("upheld", "corrected", "other", "pending"))
        out.append(Identity(
            rid, rl, f"{prefix}_total", ((rl, "cases", f"{prefix}_total"),), parts,
            f"{prefix}_total = {prefix}_upheld + _corrected + _other + _pending",
        ))
    return tuple(out)


@cache
def _plan(template: str) -> tuple[tuple[tuple[str, str, str], ...], tuple[tuple[Identity, int, int, int, int], ...]]:
    """The cells of every identity of the template one after the other, and per identity (identity, start of
    its cells, start of its right side, end, position of its target)."""
    keys: list[tuple[str, str, str]] = []
    plan: list[tuple[Identity, int, int, int, int]] = []
    for ident in identities(template):
        start = len(keys)
        keys.extend(ident.cells)
        plan.append((ident, start, start + len(ident.left), len(keys), start + ident.target_at))
    return tuple(keys), tuple(plan)


def check_identities(cells: list[Cell], template: str,
                     values: Mapping[tuple[str, str, str], int | float | None] | None = None,
                     ) -> tuple[list[Check], list[Finding]]:
    """Evaluate every identity whose cells were placed; a side with no placed cell at all is skipped.
    `values`: the cells' values by (table, row, column), when the caller has them (the Placer does)."""
    if values is None:
        values = {(c.table, c.row, c.column): c.value for c in cells}
    keys, plan = _plan(template)
    # Every cell of every identity looked up in one pass (a key's tuple hash is not cached: a lookup per
    # identity, or set tests, would hash the keys again), then each identity reads its slice.
    got = list(map(values.get, keys, repeat(_ABSENT, len(keys))))
    checks: list[Check] = []
    findings: list[Finding] = []
    for ident, start, mid, end, target in plan:
        ident_values = got[start:end]
        absent = ident_values.count(_ABSENT)
        if absent == end - start:  # no cell of the identity placed
            continue
        if absent:
            checks.append(Check(ident.id, ident.table, ident.target_name, "not_evaluable", None, None,
                                False, ident.formula))
            continue
        if got[target] is None:
            checks.append(Check(ident.id, ident.table, ident.target_name, "not_evaluable", None, None,
                                True, ident.formula))
            continue
        left_values = got[start:mid]
        right_values = got[mid:end]
        had_nulls = None in ident_values
        left = float(sum(filter(None, left_values)))  # blanks (None) count as 0, like the zeros dropped here
        right = float(sum(filter(None, right_values)))
        ok = abs(left - right) <= _TOLERANCE
        checks.append(Check(ident.id, ident.table, ident.target_name, "pass" if ok else "fail",
                            left, right, had_nulls, ident.formula))
        if not ok:
            findings.append(Finding(
                "warning", f"identity_{ident.id}_failed",
                f"{ident.id} fails for {ident.target_name}: {_num(left)} ≠ {_num(right)} ({ident.formula})",
                table=ident.table,
                row=ident.target_name if ident.id == "A3" else (None if ident.id in ("A1", "A2") else "cases"),
                column=None if ident.id == "A3" else ident.target_name,
                left=left, right=right, cells=[list(k) for k in ident.left + ident.right],
            ))
    return checks, findings


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


_BLANK_TABLES = frozenset({"applications", "review_litigation"})


def blank_findings(cells: list[Cell], template: str, blanks: list[Cell] | None = None) -> list[Finding]:
    """`blank_cells` (info): one per row of an identity table holding null cells, with what the identities
    say about each one.

    A blank (`-`, `/`, `无`, an empty cell) is kept as null, never read as 0, and the identities count it as
    0 (spec §7.6), so a check passes and nothing else would say that a printed number is missing: a `0`
    lost to a blank (or damaged into a blank) would go unseen. Where an identity reads the blank with
    every other cell printed, the message gives the value it implies. `blanks`: the null cells, when the
    caller knows them (the Placer does), else they are looked for in `cells`. Info, not a warning: a blank is what
    the source prints, and where an identity needs it to be another number than 0, that identity's own
    `identity_*_failed` warning is there already.
    """
    blanks = [c for c in (cells if blanks is None else blanks) if c.value is None and c.table in _BLANK_TABLES]
    if not blanks:
        return []
    index = {(c.table, c.row, c.column): c.value for c in cells}
    by_row: dict[tuple[str, str], list[Cell]] = {}
    for c in blanks:
        by_row.setdefault((c.table, c.row), []).append(c)
    out: list[Finding] = []
    for (table, row), row_blanks in by_row.items():
        parts = []
        for c in row_blanks:
            key = (c.table, c.row, c.column)
            implied = sorted({f"{ident.id} {'holds only if it is' if v == 0 else 'would make it'} {_num(v)}"
                              for ident in identities(template) if key in ident.keys
                              if (v := _implied(ident, key, index)) is not None})
            said = "; ".join(implied) if implied else "no identity can tell its value"
            parts.append(f"{c.column} ({c.raw.strip() or 'empty'}: {said})")
        out.append(Finding(
            "info", "blank_cells",
            f"{table}.{row}: {len(row_blanks)} blank cell(s), kept as null and counted as 0 by the identities: "
            + ", ".join(parts), table=table, row=row, line=row_blanks[0].line,
            cells=[[c.table, c.row, c.column] for c in row_blanks],
        ))
    return out


def _implied(ident: Identity, key: tuple[str, str, str], index: dict) -> float | None:
    """The value the blank cell `key` must have for `ident` to hold: None unless every other cell it reads
    is placed and printed."""
    others = [k for k in ident.keys if k != key]
    if any(index.get(k) is None for k in others) or (ident.left + ident.right).count(key) != 1:
        return None
    left = sum(float(index[k]) for k in ident.left if k != key)
    right = sum(float(index[k]) for k in ident.right if k != key)
    return right - left if key in ident.left else left - right
