"""What the identities decide about the splits of a table's runs (spec §7, §14).

A run alone rarely decides its split, but the identities usually do: A3 (a row's 总计 = its six applicant
columns) prunes each row, A1/A2 tie the rows of a column together, and R1–R3 fix the review blocks:

* exactly one split satisfies every identity that applies → its cells (placed as `split_by_identity`);
* several do → no cells for the rows (or review blocks) they disagree on, and the candidates are listed;
* none does (the source breaks an identity) → fall back to a row's split only if it is the unique one
  under the identities that remain, and say so; otherwise no cells and a finding.

Everything here is a pure function of strings: no I/O, no Placer. `Solution.notes()` gives the findings.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from operator import add, le

from pipeline.runtogether.splits import (
    _DIGITS,
    ENUMERATION_CAP,
    MAX_DIGITS,
    PLACEHOLDER,
    Split,
    Splitter,
    SumSplits,
    Values,
    canonical_run,
    chunk_count,
    enumerate_capped,
    literal_value,
    max_run_length,
    sum_splits,
    to_values,
    unbroken,
)
from pipeline.templates import APPLICATION_COLUMNS, APPLICATION_ROWS, OUTCOME_ROWS, REVIEW_COLUMNS, REVIEW_ROW

CANDIDATE_CAP = 20  # candidates listed in a finding; the full count is always given
STATE_CAP = 200_000  # partial column sums kept by the A2 search before it gives up on A2



@dataclass(frozen=True)
class Candidates:
    """The splits of one unit (a row, or a 5-cell review block) that remain possible."""

    unit: str
    row: str
    columns: tuple[str, ...]
    run: str
    values: tuple[Values, ...]  # at most CANDIDATE_CAP, in a fixed order
    count: int  # how many there are in all
    reason: str

    def describe(self) -> str:
        shown = "; ".join(_fmt(v) for v in self.values)
        more = f" (and {self.count - len(self.values)} more)" if self.count > len(self.values) else ""
        return f"{shown}{more}"


@dataclass(frozen=True)
class Note:
    """A finding to report, in the shape of model.Finding (table/row/cells as the placer expects)."""

    severity: str
    code: str  # split_ambiguous | split_fallback | split_impossible | split_blank_inferred | split_search_limited
    message: str
    table: str
    row: str | None
    cells: tuple[tuple[str, str, str], ...] = ()
    raw: str | None = None


@dataclass
class Solution:
    """What the digit runs of one table resolve to.

    `cells` holds only determined cells (a missing cell resolved by the identities is there as None);
    `raw` the literal each came from. A unit is in at most one of ambiguous / impossible; a unit in
    `fallback` or `blanks` also has its cells in `cells`.
    """

    table: str
    cells: dict[tuple[str, str], Decimal | None] = field(default_factory=dict)
    raw: dict[tuple[str, str], str] = field(default_factory=dict)
    ambiguous: dict[str, Candidates] = field(default_factory=dict)
    fallback: dict[str, str] = field(default_factory=dict)  # unit → why its split was taken anyway
    impossible: dict[str, str] = field(default_factory=dict)  # unit → why no split is possible
    blanks: dict[str, str] = field(default_factory=dict)  # unit → which cell was taken as missing
    joined: dict[str, str] = field(default_factory=dict)  # unit → the space read as inside a number
    inconsistent: bool = False  # no split of the runs satisfies every identity that applies
    identities: tuple[str, ...] = ()  # identities the solution used (A1, A2, A3, R1–R3)
    limits: tuple[str, ...] = ()  # searches cut short (results stay sound, just less decided)
    units: dict[str, tuple[str, tuple[str, ...], str]] = field(default_factory=dict)  # unit → (row, cols, run)

    def values(self, unit: str) -> Values | None:
        """The determined values of a unit in column order, or None if it was not determined."""
        row, columns, _ = self.units[unit]
        if any((row, c) not in self.cells for c in columns):
            return None
        return tuple(self.cells[(row, c)] for c in columns)

    def notes(self) -> list[Note]:
        """The findings this solution implies, in unit order."""
        out: list[Note] = []
        for unit, (row, columns, run) in self.units.items():
            cells = tuple((self.table, row, c) for c in columns)
            where = f"{self.table}.{unit}"
            if unit in self.fallback:
                out.append(Note("warning", "split_fallback",
                                f"{where}: run {run!r} read as {_fmt(self.values(unit))}: {self.fallback[unit]}",
                                self.table, row, cells, run))
            if unit in self.joined and self.values(unit) is not None:
                out.append(Note("warning", "number_joined", f"{where}: {self.joined[unit]}", self.table, row,
                                cells, run))
            if unit in self.blanks:
                out.append(Note("warning", "split_blank_inferred", f"{where}: {self.blanks[unit]}",
                                self.table, row, cells, run))
            if unit in self.ambiguous:
                c = self.ambiguous[unit]
                out.append(Note("warning", "split_ambiguous",
                                f"{where}: run {run!r} has {c.count} split{'' if c.count == 1 else 's'} {c.reason}: "
                                f"{c.describe()}; "
                                "cells left out", self.table, row, cells, run))
            if unit in self.impossible:
                out.append(Note("error", "split_impossible", f"{where}: run {run!r}: {self.impossible[unit]}",
                                self.table, row, cells, run))
        out.extend(Note("info", "split_search_limited", f"{self.table}: {msg}", self.table, None)
                   for msg in self.limits)
        return out

    def _take(self, unit: str, split: Split) -> None:
        row, columns, _ = self.units[unit]
        for c, lit in zip(columns, split, strict=True):
            self.cells[(row, c)] = literal_value(lit)
            self.raw[(row, c)] = lit

    def _candidates(self, unit: str, found: Sequence[Split], reason: str, count: int | None = None) -> None:
        row, columns, run = self.units[unit]
        ordered = sorted(found, key=_order)
        self.ambiguous[unit] = Candidates(unit, row, columns, run,
                                          tuple(to_values(x) for x in ordered[:CANDIDATE_CAP]),
                                          len(found) if count is None else count, reason)


def _too_long(run: str, cells: int) -> str:
    """Why `run` is not split (longer than any row of `cells` cells can be: it has no split), or ""."""
    limit = max_run_length(cells)
    if len(run) <= limit or len(s := canonical_run(run)) <= limit:
        return ""
    return (f"the run has {len(s):,} characters, more than any row of {cells} cells can have ({limit}: numbers "
            f"of at most {MAX_DIGITS} digits): not split")


def _order(split: Split) -> tuple:
    """Candidates in reading order: by each cell's width, then literally (stable across runs)."""
    return tuple((len(x), x) for x in split)


def _fmt(values: Values | None) -> str:
    if values is None:
        return "?"
    return "(" + ", ".join("blank" if v is None else str(v) for v in values) + ")"


def _has_placeholder(split: Split) -> bool:
    """A printed blank among the cells: an identity then holds whatever the blank hides (spec §7.6)."""
    return any(x and PLACEHOLDER.fullmatch(x) for x in split)


def _missing(split: Split) -> list[int]:
    return [i for i, x in enumerate(split) if x == ""]


# ---------------------------------------------------------------------------------------------
# 4. Section 二 rows: no identity, unique only when the run has one split
# ---------------------------------------------------------------------------------------------


def solve_plain(run: str, kinds: Sequence[str], *, row: str = "row", columns: Sequence[str] | None = None,
                table: str = "", cap: int = CANDIDATE_CAP) -> Solution:
    """A row no identity constrains (section 二, spec §7.3/§7.4): determined only if the run has one split."""
    cols = tuple(columns) if columns is not None else tuple(str(i) for i in range(len(kinds)))
    if len(cols) != len(kinds):
        raise ValueError("columns and kinds differ in length")
    sol = Solution(table, identities=())
    sol.units[row] = (row, cols, run)
    if _too_long(run, len(kinds)):
        sol.impossible[row] = _too_long(run, len(kinds))
        return sol
    sp = Splitter(run, kinds, 0)
    n = sp.count()
    if n == 1:
        sol._take(row, next(sp.generate()))
    elif n == 0:
        sol.impossible[row] = f"no split into {len(kinds)} cells of kinds {', '.join(kinds)}"
    else:
        # the first splits generated (at most ENUMERATION_CAP), shown in reading order
        ordered = sorted(itertools.islice(sp.generate(), ENUMERATION_CAP), key=_order)[:cap]
        sol.ambiguous[row] = Candidates(row, row, cols, run, tuple(to_values(x) for x in ordered), n,
                                        "(no identity constrains this row)")
    return sol


# ---------------------------------------------------------------------------------------------
# 5. Section 四: one row of 15, three blocks of five (R1–R3)
# ---------------------------------------------------------------------------------------------

REVIEW_BLOCKS: tuple[tuple[str, str], ...] = (
    ("review", "R1"),
    ("litigation_direct", "R2"),
    ("litigation_after_review", "R3"),
)


def solve_review(run: str, *, max_blanks: int = 0) -> Solution:
    """The 15-cell review/litigation row: each block of five ends with the total of its first four.

    A block is emitted when every split satisfying R1–R3 agrees on it. If none does, each identity is
    relaxed in turn (the source may break one); a block unique under every relaxation that admits a split
    is taken as a fallback.
    """
    sol = Solution("review_litigation", identities=("R1", "R2", "R3"))
    s = canonical_run(run)
    for i, (unit, _) in enumerate(REVIEW_BLOCKS):
        sol.units[unit] = (REVIEW_ROW, REVIEW_COLUMNS[5 * i : 5 * i + 5], s)
    if _too_long(s, len(REVIEW_COLUMNS)):
        for unit, _ in REVIEW_BLOCKS:
            sol.impossible[unit] = _too_long(s, len(REVIEW_COLUMNS))
        return sol
    options, total = _review_options(s, None, max_blanks)
    if chunk_count(s) > len(REVIEW_COLUMNS):  # more groups than cells: a space inside a number
        options, total = [set(), set(), set()], 0
        for variant in unbroken(s, len(REVIEW_COLUMNS)):
            found, n = _review_options(variant, None, max_blanks)
            if n < 0:
                options, total = found, n
                break
            total += n
            for mine, theirs in zip(options, found, strict=True):
                mine |= theirs
        if total > 0:
            for unit, _ in REVIEW_BLOCKS:
                sol.joined[unit] = (f"run {s!r} has more groups of digits than the row has cells; a space inside "
                                    "a number is the only reading R1–R3 accept")
    if total < 0:
        sol.limits = (f"a block of the row has more than {ENUMERATION_CAP} splits to weigh: nothing decided",)
        for unit, _ in REVIEW_BLOCKS:
            sol.impossible[unit] = "too many splits to weigh (a placeholder total over a long run)"
        return sol
    if total:
        for (unit, _), found in zip(REVIEW_BLOCKS, options, strict=True):
            _decide(sol, unit, found, f"satisfying {'/'.join(i for _, i in REVIEW_BLOCKS)}",
                    f"of {total} splits of the whole row")
        return sol
    sol.inconsistent = True
    merged: list[set[Split]] = [set(), set(), set()]
    held: list[str] = []
    for k, (_, ident) in enumerate(REVIEW_BLOCKS):
        opts, n = _review_options(s, k, max_blanks)
        if n:
            held.append(ident)
            for m, o in zip(merged, opts, strict=True):
                m |= o
        if n < 0:
            sol.limits = (f"with {ident} set aside, a block has more than {ENUMERATION_CAP} splits: "
                          "no fallback taken",)
            held = []
            break
    if not held:
        for unit, _ in REVIEW_BLOCKS:
            sol.impossible[unit] = ("no split into 15 cells satisfies even two of R1–R3" if not sol.limits
                                    else "no split satisfies R1–R3, and setting one aside leaves too many")
        return sol
    why = f"no split satisfies R1–R3 together; only with {' or '.join(held)} set aside"
    for (unit, _), found in zip(REVIEW_BLOCKS, merged, strict=True):
        full = [x for x in found if "" not in x]
        if len(full) == 1 and _has_placeholder(full[0]):
            sol._candidates(unit, full, f"({why}; it has a blank cell, which may hide any value)")
        elif len(full) == 1:
            sol._take(unit, full[0])
            sol.fallback[unit] = f"{why}, and this is the block's only split"
        elif not full:
            sol.impossible[unit] = f"{why}; no split of this block"
        else:
            sol._candidates(unit, full, f"({why})")
    return sol


def _review_options(s: str, relaxed: int | None, max_blanks: int) -> tuple[list[set[Split]], int]:
    """Per block, the 5-cell splits used by some full-row split; and the number of full-row splits
    (-1 if a block's list had to be cut short, so that nothing may be decided from it).

    A block boundary is any position that starts a non-space character; the first and the last block
    are tried for every boundary (O(n) substrings), the middle one only between two that work.
    """
    starts = [p for p in range(1, len(s)) if s[p] != " "]
    first = {p: _block_splits(s[:p].rstrip(), relaxed == 0, max_blanks) for p in starts}
    last = {p: _block_splits(s[p:], relaxed == 2, max_blanks) for p in starts}
    found: list[set[Split]] = [set(), set(), set()]
    total = 0
    reach = _BLOCK_LENGTH + 1  # a middle block is never longer than a block can be
    for p1 in starts:
        if not first[p1]:
            continue
        for p2 in starts:
            if p2 <= p1 or not last[p2]:
                continue
            if p2 - p1 > reach:
                break
            middle = _block_splits(s[p1:p2].rstrip(), relaxed == 1, max_blanks)
            if middle:
                if _PARTIAL in (first[p1], middle, last[p2]):
                    return found, -1
                total += len(first[p1]) * len(middle) * len(last[p2])
                found[0].update(first[p1])
                found[1].update(middle)
                found[2].update(last[p2])
    return found, total


_PARTIAL: tuple[Split, ...] = (("…",) * 5,)  # stands for a block whose splits were too many to list


_BLOCK_LENGTH = max_run_length(5)  # the longest text a block of five cells can be


@lru_cache(maxsize=8192)
def _block_splits(part: str, relaxed: bool, max_blanks: int) -> tuple[Split, ...]:
    """The 5-cell splits of one block: all of them if its identity is set aside, else R-consistent ones."""
    if len(part) > _BLOCK_LENGTH:
        return ()  # no split: five literals cannot cover it
    if relaxed:
        out: list[Split] = []
        n = enumerate_capped(part, 5, max_blanks, (), out)
        return tuple(out) if n == len(out) else _PARTIAL
    ss = sum_splits(part, 5, max_blanks)
    return ss.checked + ss.unchecked if ss.unchecked_count == len(ss.unchecked) else _PARTIAL


def _decide(sol: Solution, unit: str, found: Sequence[Split] | set[Split], satisfying: str, of: str) -> None:
    found = sorted(found, key=_order)
    if len(found) == 1:
        sol._take(unit, found[0])
        miss = _missing(found[0])
        if miss:
            cols = sol.units[unit][1]
            sol.blanks[unit] = (f"{len(miss)} cell(s) missing from run {sol.units[unit][2]!r}, taken as blank: "
                                f"{', '.join(cols[i] for i in miss)}")
    else:
        sol._candidates(unit, found, f"{satisfying} ({of})")


# ---------------------------------------------------------------------------------------------
# 6. Section 三: the application table (A3 per row, A1 and A2 per column)
# ---------------------------------------------------------------------------------------------

_A1_ROWS = ("new_received", "carried_over", "total", "carried_forward")
_N = len(APPLICATION_COLUMNS) - 1  # the six applicant columns; A1/A2 on 总计 follow from A3 (spec §7.1)
Vec = tuple[int, ...]


def _vec(split: Split) -> Vec:
    """The applicant cells' `operand`s (inlined: the A1/A2 search builds one per candidate)."""
    return tuple([int(x) if x and x[0] in _DIGITS else 0 for x in split[:_N]])


def _add(a: Vec, b: Vec) -> Vec:
    if len(a) != len(b):
        raise ValueError("column sums of different widths")
    return tuple(map(add, a, b))


def solve_applications(runs: Mapping[str, str], template: str, *, max_blanks: int = 1) -> Solution:
    """Split the application rows' runs (7 cells each) so that A3, A1 and A2 all hold.

    Each row is pruned alone with A3; the rows are then combined column-wise (A1: new_received +
    carried_over = total + carried_forward; A2: total = the sum of the outcome rows) by a forward/backward
    pass over partial column sums, never over the product of the rows' candidates. A row whose digits admit
    no complete A3-consistent split may be read with up to `max_blanks` cells missing (a blank total leaves
    A3 not evaluable); such a reading is only ever taken when the whole table confirms it.
    """
    if template not in APPLICATION_ROWS:
        raise ValueError(f"unknown template {template!r}")
    runs_in = runs
    order = [r.key for r in APPLICATION_ROWS[template]]
    unknown = sorted(set(runs) - set(order))
    if unknown:
        raise ValueError(f"rows not in the {template} template: {', '.join(unknown)}")
    long = {r: why for r in order if r in runs and (why := _too_long(runs[r], len(APPLICATION_COLUMNS)))}
    runs = {r: run for r, run in runs.items() if r not in long}  # a run no row can be: as if absent
    present = [r for r in order if r in runs]
    outcome = list(OUTCOME_ROWS[template])
    a1 = all(r in runs for r in _A1_ROWS)
    a2 = "total" in runs and all(r in runs for r in outcome)
    sol = Solution("applications", identities=("A3", *(["A1"] if a1 else []), *(["A2"] if a2 else [])))
    for r in present:
        sol.units[r] = (r, APPLICATION_COLUMNS, canonical_run(runs[r]))
    for r, why in long.items():
        sol.units[r] = (r, APPLICATION_COLUMNS, f"({len(canonical_run(runs_in[r])):,} characters)")
        sol.impossible[r] = why

    complete: dict[str, list[Split]] = {}
    cands: dict[str, list[Split]] = {}
    notes: dict[str, str] = {}
    for r in present:
        if chunk_count(runs[r]) > len(APPLICATION_COLUMNS):  # more groups than cells: a space inside a number
            complete[r] = _joined_splits(runs[r], len(APPLICATION_COLUMNS), r, notes)
            if complete[r]:
                sol.joined[r] = (f"run {sol.units[r][2]!r} has more groups of digits than the row has cells; a "
                                 "space inside a number is the only reading the identities accept")
        else:
            complete[r] = _whole(sum_splits(runs[r], len(APPLICATION_COLUMNS), 0), r, notes)
        if complete[r] or not max_blanks or r in notes:
            cands[r] = complete[r]
            continue
        cands[r] = _whole(sum_splits(runs[r], len(APPLICATION_COLUMNS), max_blanks), r, notes)

    linked = set((_A1_ROWS if a1 else ()) + (("total", *outcome) if a2 else ()))
    viable, limits = _table_viable(cands, outcome, a1, a2)
    sol.limits = tuple(limits)
    for r in present:
        if r in linked:
            continue
        if complete[r]:  # readings with a missing cell need the table to confirm them: none links this row
            _decide(sol, r, complete[r], "satisfying A3", "no other identity links this row")
        else:
            sol.impossible[r] = _impossible_reason(sol.units[r][2], cands[r], notes.get(r), None)
    if not linked:
        return sol
    if viable is not None:
        for r in (r for r in present if r in linked):
            _decide(sol, r, viable[r], "satisfying A1–A3", "the table as a whole")
        return sol

    sol.inconsistent = True
    why = _diagnose(cands, outcome, a1, a2)
    for r in (r for r in present if r in linked):
        if len(complete[r]) == 1 and not _has_placeholder(complete[r][0]):
            sol._take(r, complete[r][0])
            sol.fallback[r] = f"{why}; this is the row's only A3-consistent split"
        elif len(complete[r]) == 1:
            sol._candidates(r, complete[r], f"satisfying A3 ({why}); it has a blank cell, which A3 counts as 0 "
                            "but which may hide any value, so A3 alone cannot vouch for it")
        elif complete[r]:
            sol._candidates(r, complete[r], f"satisfying A3 ({why})")
        else:
            sol.impossible[r] = _impossible_reason(runs[r], cands[r], notes.get(r), why)
    return sol


def _joined_splits(run: str, cells: int, row: str, notes: dict[str, str]) -> list[Split]:
    """The A3-consistent splits of the run read with spaces inside numbers (spec §15: `1 62` is 162)."""
    out: dict[Split, None] = {}
    for variant in unbroken(run, cells):
        out.update(dict.fromkeys(_whole(sum_splits(variant, cells, 0), row, notes)))
    return list(out)


def _whole(ss: SumSplits, row: str, notes: dict[str, str]) -> list[Split]:
    """A row's candidates, or none (with a note) if the list is partial: a partial list decides nothing."""
    if ss.unchecked_count > len(ss.unchecked):
        notes[row] = f"{ss.unchecked_count} readings with a blank total are too many to weigh"
        return []
    return list(ss.checked + ss.unchecked)


def _impossible_reason(run: str, cands: list[Split], note: str | None, why: str | None) -> str:
    digits = sum(c.isdigit() for c in run)
    parts = [f"no split into {len(APPLICATION_COLUMNS)} cells satisfies A3 ({digits} digits)"]
    if digits < len(APPLICATION_COLUMNS):
        parts.append("fewer digits than cells: cells are blank")
    if cands:
        parts.append(f"{len(cands)} reading(s) with a missing cell exist but no identity of the table confirms one")
    if note:
        parts.append(note)
    if why:
        parts.append(why)
    return "; ".join(parts)


def _diagnose(cands: dict[str, list[Split]], outcome: list[str], a1: bool, a2: bool) -> str:
    """Which identities can hold on their own: tells a reader where the source breaks."""
    empty = [r for r, c in cands.items() if not c]
    if empty:
        return f"no split satisfies A3 in {', '.join(empty)}, so the table cannot be solved as a whole"
    held = [name for name, on in (("A1", a1), ("A2", a2))
            if on and _table_viable(cands, outcome, name == "A1", name == "A2")[0] is not None]
    if a1 and a2 and held:
        return f"no split satisfies A1 and A2 together (only {' and '.join(held)} alone), the source breaks one"
    return "no split satisfies the column identities A1/A2: the source breaks them"


def _table_viable(cands: dict[str, list[Split]], outcome: list[str], a1: bool,
                  a2: bool) -> tuple[dict[str, list[Split]] | None, list[str]]:
    """The candidates of every row that belong to at least one split of the table satisfying A1/A2.

    A1 is a join of (new_received + carried_over) with (total + carried_forward) sums; A2 a forward pass of
    reachable partial sums over the outcome rows (bounded by the largest total: counts are non-negative)
    and a backward pass keeping only the states and candidates that reach an admissible total. None when
    the linked rows admit no split at all.
    """
    limits: list[str] = []
    vecs = {r: [_vec(x) for x in splits_r] for r, splits_r in cands.items()}  # aligned with cands[r]
    keep: dict[str, set[Vec]] = {r: set(v) for r, v in vecs.items()}
    linked = set((_A1_ROWS if a1 else ()) + (("total", *outcome) if a2 else ()))
    if any(not keep[r] for r in linked):
        return None, limits

    pairs: dict[Vec, list[tuple[Vec, Vec]]] = {}
    if a1 and max(len(keep["new_received"]) * len(keep["carried_over"]),
                  len(keep["total"]) * len(keep["carried_forward"])) > STATE_CAP:
        limits.append(f"A1 not used: more than {STATE_CAP} pairs of readings to weigh")
        a1 = False
    if a1:
        for a in keep["new_received"]:
            for b in keep["carried_over"]:
                pairs.setdefault(_add(a, b), []).append((a, b))
        keep["total"] = {t for t in keep["total"] if any(_add(t, f) in pairs for f in keep["carried_forward"])}
        if not keep["total"]:
            return None, limits

    if a2:
        totals = keep["total"]
        bound = tuple(max(t[c] for t in totals) for c in range(_N))
        layers: list[set[Vec]] = [{(0,) * _N}]
        for r in outcome:
            if len(layers[-1]) * len(keep[r]) > STATE_CAP:
                limits.append(f"A2 not used: more than {STATE_CAP} partial column sums to weigh")
                layers = []
                break
            nxt: set[Vec] = set()
            for s in layers[-1]:
                for v in keep[r]:
                    w = _add(s, v)
                    if all(map(le, w, bound)):  # same width: both are column sums
                        nxt.add(w)
            if len(nxt) > STATE_CAP:
                limits.append(f"A2 not used: more than {STATE_CAP} partial column sums")
                layers = []
                break
            layers.append(nxt)
        if layers:
            need = layers[-1] & totals
            keep["total"] = need
            for i in range(len(outcome) - 1, -1, -1):
                r = outcome[i]
                used: set[Vec] = set()
                before: set[Vec] = set()
                for s in layers[i]:
                    for v in keep[r]:
                        if _add(s, v) in need:
                            used.add(v)
                            before.add(s)
                keep[r] = used
                need = before

    if a1:
        # Only the partners of a total that survived A2 remain.
        used_nr: set[Vec] = set()
        used_co: set[Vec] = set()
        used_cf: set[Vec] = set()
        for t in keep["total"]:
            for f in keep["carried_forward"]:
                for a, b in pairs.get(_add(t, f), ()):
                    used_nr.add(a)
                    used_co.add(b)
                    used_cf.add(f)
        keep.update(new_received=used_nr, carried_over=used_co, carried_forward=used_cf)

    if any(not keep[r] for r in linked):
        return None, limits
    return {r: [x for x, v in zip(cands[r], vecs[r], strict=True) if v in keep[r]] for r in cands}, limits

