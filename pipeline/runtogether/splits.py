"""Splitting one digit run into cells: every split, or only those whose last cell is the sum of the others.

A literal obeys its column's kind (no leading zeros except `0`; a sign only in `signed_count`; one decimal
point only in money); a printed placeholder (`-`, `/`, `无`) is a cell of any kind. Pure functions of
strings, memoised: the same runs recur in every report.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from pipeline.normalize import MAX_DIGITS

Split = tuple[str, ...]  # the literal of each cell as printed; "" = a cell missing from the run
Values = tuple[Decimal | None, ...]

MAX_JOINS = 2  # spaces read as inside a number in one run, at most
ENUMERATION_CAP = 5000  # unconstrained splits enumerated for a blank-total or relaxed hypothesis
# A literal is at most MAX_DIGITS digits (`pipeline.normalize`: no figure of a report has more), a sign and a
# decimal point: so every enumeration below looks at most `MAX_LITERAL` characters ahead of a position,
# however long the run.
MAX_LITERAL = MAX_DIGITS + 2


def max_run_length(cells: int) -> int:
    """The longest run `cells` literals can make: each at most MAX_LITERAL characters, a space between two,
    and up to MAX_JOINS spaces inside numbers. A longer run has no split at all."""
    return cells * (MAX_LITERAL + 1) - 1 + MAX_JOINS

KINDS = ("count", "signed_count", "money_yuan", "money_wan_yuan")
_LITERAL = {
    "count": re.compile(r"0|[1-9]\d*"),
    "signed_count": re.compile(r"[+-]?(?:0|[1-9]\d*)"),
    "money_yuan": re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?"),
    "money_wan_yuan": re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?"),
}
# A printed "no value" that sits inside a run (spec §10.3); it is a cell of its own, value None. `无` glued
# between a label and its digits (`…申请数量无579215300302`) is the row's first cell, not part of the label.
PLACEHOLDER = re.compile(r"--?|——?|–|/|无")


_DIGITS = frozenset("0123456789")



def canonical_run(run: str) -> str:
    """NFKC, one space per whitespace stretch (a known cut), trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", run)).strip()


def chunk_count(run: str) -> int:
    """Groups of characters between known cuts (spaces)."""
    return len(canonical_run(run).split(" "))


def unbroken(run: str, cells: int) -> list[str]:
    """The run with spaces removed so that its groups are no more than `cells`: a number broken inside its
    cell (`1 62` for 162, spec §15). Only spaces between two digit groups (the first not a lone 0), at most
    MAX_JOINS per run."""
    chunks = canonical_run(run).split(" ")
    joins = len(chunks) - cells
    if joins <= 0 or joins > MAX_JOINS:
        return []
    gaps = [i for i in range(len(chunks) - 1)
            if chunks[i].isdigit() and chunks[i + 1].isdigit() and chunks[i] != "0"]
    out = []
    for chosen in itertools.combinations(gaps, joins):
        text = chunks[0]
        for i in range(1, len(chunks)):
            text += ("" if i - 1 in chosen else " ") + chunks[i]
        out.append(text)
    return out


def _digit_count(lit: str) -> int:
    return len(lit) - (lit[0] in "+-") - ("." in lit)


def literal_value(lit: str) -> Decimal | None:
    """The value of one cell literal: None for a missing cell or a printed placeholder."""
    if not lit or PLACEHOLDER.fullmatch(lit):
        return None
    return Decimal(lit)


def to_values(split: Split) -> Values:
    return tuple(literal_value(x) for x in split)


class Splitter:
    """All splits of one run into len(kinds) cells; counted first (memoised), then generated lazily."""

    def __init__(self, run: str, kinds: Sequence[str], max_blanks: int) -> None:
        for k in kinds:
            if k not in _LITERAL:
                raise ValueError(f"unknown cell kind {k!r}; expected one of {KINDS}")
        self.s = canonical_run(run)
        self.kinds = tuple(kinds)
        self.max_blanks = max_blanks
        self._lits: dict[tuple[int, str], tuple[tuple[int, str], ...]] = {}
        self._count: dict[tuple[int, int, int], int] = {}

    def literals(self, pos: int, kind: str) -> tuple[tuple[int, str], ...]:
        """(next position, literal) for every literal of `kind` starting at pos, within its chunk."""
        key = (pos, kind)
        if key not in self._lits:
            s = self.s
            end = s.find(" ", pos)
            end = len(s) if end < 0 else end
            out = []
            for q in range(pos + 1, min(end, pos + MAX_LITERAL) + 1):
                lit = s[pos:q]
                if (_LITERAL[kind].fullmatch(lit) and _digit_count(lit) <= MAX_DIGITS) or PLACEHOLDER.fullmatch(lit):
                    out.append((q + 1 if q < len(s) and s[q] == " " else q, lit))
            self._lits[key] = tuple(out)
        return self._lits[key]

    def count(self, pos: int = 0, k: int = 0, b: int = 0) -> int:
        key = (pos, k, b)
        if key in self._count:
            return self._count[key]
        if k == len(self.kinds):
            n = 1 if pos == len(self.s) else 0
        else:
            n = self.count(pos, k + 1, b + 1) if b < self.max_blanks else 0
            for q, _ in self.literals(pos, self.kinds[k]):
                n += self.count(q, k + 1, b)
        self._count[key] = n
        return n

    def generate(self, pos: int = 0, k: int = 0, b: int = 0) -> Iterator[Split]:
        if not self.count(pos, k, b):
            return
        if k == len(self.kinds):
            yield ()
            return
        if b < self.max_blanks:
            for rest in self.generate(pos, k + 1, b + 1):
                yield ("", *rest)
        for q, lit in self.literals(pos, self.kinds[k]):
            for rest in self.generate(q, k + 1, b):
                yield (lit, *rest)


def split_literals(run: str, kinds: Sequence[str], *, max_blanks: int = 0) -> Iterator[Split]:
    """Every split of `run` into len(kinds) cell literals, lazily, in a fixed order.

    A literal obeys its kind (no leading zeros except `0`; a sign only in `signed_count`; one decimal point
    only in money); a printed placeholder (`-`, `/`, `—`) is a cell of any kind. With max_blanks > 0 up to
    that many cells may be missing from the run altogether (literal "").
    """
    return Splitter(run, kinds, max_blanks).generate()


def count_splits(run: str, kinds: Sequence[str], *, max_blanks: int = 0) -> int:
    """How many splits split_literals would yield, without generating them (a memoised count)."""
    return Splitter(run, kinds, max_blanks).count()


def splits(run: str, kinds: Sequence[str], *, max_blanks: int = 0) -> list[Values]:
    """Every way to split a digit run into len(kinds) numbers (None = placeholder or missing cell)."""
    return [to_values(x) for x in split_literals(run, kinds, max_blanks=max_blanks)]


# -- sum-constrained splits: the last cell is the total of the others (A3, R1–R3) ---------------

_COUNT = _LITERAL["count"]


def operand(lit: str) -> int:
    """A count literal's value; a missing cell or placeholder counts 0 as an operand (spec §7.6)."""
    return int(lit) if lit and lit[0] in _DIGITS else 0


_PH_SET = frozenset({"-", "--", "—", "——", "–", "/", "无"})  # the strings PLACEHOLDER matches


class _Prefixes:
    """Splits of the prefixes of a canonical run into counts with a given sum (meet in the middle).

    A *state* j means s[:j] is covered (j never sits just after a space). To split s[:j] into n operands
    summing to a target, a depth-first search places the right half of the operands, right to left, and
    looks the remainder up in a table of the sums the left half can make of what is left. The tables are
    memoised per state, so every choice of the total shares them. Two free checks prune the search: an
    operand is at most the remaining sum (so it has no more digits), and m operands covering c characters
    are each below 10^(c-m+1).
    """

    def __init__(self, s: str) -> None:
        self.s = s
        self.chars = [0]  # non-space characters in s[:j]
        self.chunk = [0]  # where the chunk holding s[j-1] starts
        for j, c in enumerate(s, start=1):
            self.chars.append(self.chars[-1] + (c != " "))
            self.chunk.append(j if c == " " else self.chunk[-1])
        self.short = 2 if "--" in s or "——" in s else 1  # the longest literal worth 0
        self._ends: dict[int, list[tuple[int, str, int]]] = {}
        self._left: dict[tuple[int, int, int], dict[int, list[Split]]] = {}

    def _literals_ending(self, j: int) -> list[tuple[int, str, int]]:
        """(state before, literal, value) of every count or placeholder literal ending at j, shortest first."""
        if j not in self._ends:
            s, out = self.s, []
            for i in range(j - 1, max(self.chunk[j], j - MAX_DIGITS) - 1, -1):
                lit = s[i:j]
                if lit in _PH_SET:
                    v = 0
                elif lit.isascii() and lit.isdigit() and (lit[0] != "0" or len(lit) == 1):
                    v = int(lit)
                else:
                    continue
                out.append((i - 1 if i > 0 and s[i - 1] == " " else i, lit, v))
            self._ends[j] = out
        return self._ends[j]

    def _sums(self, j: int, m: int, spare: int) -> dict[int, list[Split]]:
        """Every split of s[:j] into m cells (up to `spare` of them missing), grouped by its sum."""
        key = (j, m, spare)
        if key not in self._left:
            out: dict[int, list[Split]] = {}
            if m == 0:
                if j == 0:
                    out[0] = [()]
            else:
                if spare:
                    for total, splits_ in self._sums(j, m - 1, spare - 1).items():
                        out.setdefault(total, []).extend((*x, "") for x in splits_)
                for i, lit, v in self._literals_ending(j):
                    for total, splits_ in self._sums(i, m - 1, spare).items():
                        out.setdefault(total + v, []).extend((*x, lit) for x in splits_)
            self._left[key] = out
        return self._left[key]

    def _feasible(self, j: int, m: int, rem: int, spare: int) -> bool:
        c = self.chars[j]
        width = max(len(str(rem)), self.short)
        for k in range(max(m - spare, 0), m + 1):
            if (k == 0 and c == 0 and rem == 0) or (k and k <= c <= k * width and rem < k * 10 ** (c - k + 1)):
                return True
        return False

    def operands(self, j: int, n: int, target: int, max_blanks: int) -> list[Split]:
        """Splits of s[:j] into n counts (or placeholders; up to max_blanks missing) that sum to target."""
        half = n // 2  # operands left to the table
        out: list[Split] = []
        acc: list[str] = []

        def dfs(j: int, m: int, rem: int, spare: int) -> None:
            if not self._feasible(j, m, rem, spare):
                return
            if m == half:
                tail = tuple(reversed(acc))
                out.extend((*x, *tail) for x in self._sums(j, m, spare).get(rem, ()))
                return
            if spare:
                acc.append("")
                dfs(j, m - 1, rem, spare - 1)
                acc.pop()
            for i, lit, v in self._literals_ending(j):
                if v > rem:
                    if lit[0] in _DIGITS:
                        break  # a longer count is larger still
                    continue
                acc.append(lit)
                dfs(i, m - 1, rem - v, spare)
                acc.pop()

        dfs(j, n, target, max_blanks)
        return out


@dataclass(frozen=True)
class SumSplits:
    """Splits of a run whose last cell is the total of the others (A3 for a row, R1–R3 for a block)."""

    checked: tuple[Split, ...]  # the total is printed and equals the sum of the operands
    unchecked: tuple[Split, ...]  # the total is a placeholder or missing: the identity is not evaluable
    unchecked_count: int  # may exceed len(unchecked) (enumeration capped at ENUMERATION_CAP)


@lru_cache(maxsize=4096)
def sum_splits(run: str, cells: int, max_blanks: int = 0) -> SumSplits:
    """Splits of `run` into `cells` counts whose last is the sum of the first cells-1.

    Each suffix of the last chunk is tried as the total. Casting out nines rejects most of them for free
    (a number ≡ its digit sum mod 9, so the operands' sum ≡ the digit sum of the rest, however it is cut);
    the others are searched by _Prefixes, which never enumerates the unconstrained splits. A total that
    is a placeholder or missing leaves the identity not evaluable: those splits are enumerated up to
    ENUMERATION_CAP and counted beyond it (`unchecked_count` > len(`unchecked`) means the list is partial).
    """
    s = canonical_run(run)
    pre = _Prefixes(s)
    checked: list[Split] = []
    unchecked: list[Split] = []
    unchecked_count = 0
    start = s.rfind(" ") + 1
    nines = [0]  # digit sums of the prefixes: a number ≡ its digit sum (mod 9), however the digits are cut
    for c in s:
        nines.append(nines[-1] + (int(c) if c in _DIGITS else 0))
    for j in range(max(start, len(s) - MAX_DIGITS), len(s)):  # a longer total is no cell
        lit = s[j:]
        state = j - 1 if j > 0 and s[j - 1] == " " else j
        if _COUNT.fullmatch(lit):
            if (int(lit) - nines[state]) % 9:
                continue  # casting out nines: no split of the operands can sum to this total
            checked.extend((*ops, lit) for ops in pre.operands(state, cells - 1, int(lit), max_blanks))
        elif PLACEHOLDER.fullmatch(lit):
            unchecked_count += enumerate_capped(s[:state], cells - 1, max_blanks, (lit,), unchecked)
    if max_blanks:
        unchecked_count += enumerate_capped(s, cells - 1, max_blanks - 1, ("",), unchecked)
    return SumSplits(tuple(checked), tuple(unchecked), unchecked_count)


def enumerate_capped(s: str, n: int, max_blanks: int, tail: Split, out: list[Split]) -> int:
    """Append every n-count split of s (plus `tail`) to out unless there are too many; return the count."""
    sp = Splitter(s, ("count",) * n, max_blanks)
    total = sp.count()
    if total <= ENUMERATION_CAP:
        out.extend((*x, *tail) for x in sp.generate())
    return total

