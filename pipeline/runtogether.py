"""Table cells that a crawler ran together into one digit run, recovered with the identities (spec §14).

Crawled text often loses every delimiter between cells: `行政许可396442278` is 396 | 442 | 278, and an
application row `…申请数量120000012` is 12, 0, 0, 0, 0, 0, 12. A run alone rarely decides its split, but the
identities of spec §7 usually do: A3 (a row's 总计 = its six applicant columns) prunes each row, A1/A2 tie
the rows of a column together, and R1–R3 fix the review blocks. The rules this module keeps:

* exactly one split satisfies every identity that applies → its cells (the caller marks them
  `split_by_identity`);
* several do → no cells for the rows (or review blocks) they disagree on, and the candidates are listed;
* none does (the source breaks an identity) → fall back to a row's split only if it is the unique one
  under the identities that remain, and say so; otherwise no cells and a finding.

Everything here is a pure function of strings: no I/O, no Placer. `Solution.notes()` gives the findings.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache

from pipeline.normalize import label_key
from pipeline.templates import APPLICATION_COLUMNS, APPLICATION_ROWS, OUTCOME_ROWS, REVIEW_COLUMNS, REVIEW_ROW

Split = tuple[str, ...]  # the literal of each cell as printed; "" = a cell missing from the run
Values = tuple[Decimal | None, ...]

CANDIDATE_CAP = 20  # candidates listed in a finding; the full count is always given
ENUMERATION_CAP = 5000  # unconstrained splits enumerated for a blank-total or relaxed hypothesis
STATE_CAP = 200_000  # partial column sums kept by the A2 search before it gives up on A2

KINDS = ("count", "signed_count", "money_yuan", "money_wan_yuan")
_LITERAL = {
    "count": re.compile(r"0|[1-9]\d*"),
    "signed_count": re.compile(r"[+-]?(?:0|[1-9]\d*)"),
    "money_yuan": re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?"),
    "money_wan_yuan": re.compile(r"(?:0|[1-9]\d*)(?:\.\d+)?"),
}
# A printed "no value" that sits inside a run (spec §10.3); it is a cell of its own, value None. `无` glued
# between a label and its digits (`…申请数量无579215300302`) is the row's first cell, not part of the label.
_PLACEHOLDER = re.compile(r"--?|——?|–|/|无")

# ---------------------------------------------------------------------------------------------
# 1. Cutting crawled text into labels and digit runs
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A label or a digit run of a crawled cell. `text` is NFKC (runs: single spaces mark known cuts)."""

    kind: str  # label | run
    text: str
    raw: str  # the slice of the input it came from (a run's raw includes its unit)
    start: int  # offsets into the input
    end: int
    unit: str | None = None  # 元 / 万元 written right after a run

    @property
    def key(self) -> str:
        """The label-matching form (normalize.label_key) of a label; "" for a run."""
        return label_key(self.text) if self.kind == "label" else ""

    @property
    def digits(self) -> int:
        return sum(c.isdigit() for c in self.text)


_DIGITS = frozenset("0123456789")
_RUN_SIGNS = frozenset(".+-—–/")
_RUN_CHARS = re.compile(r"[0-9.+\-—–/\s]+")  # digits, run signs and whitespace (str.isspace)
# `无` directly before a digit is a blank cell inside the run (`…数量无579…`, `…0无4.…`); before anything else
# it is label text: `4.无正当理由大量反复申请` is a row label of the 2021 template.
_BLANK_BEFORE_DIGIT = re.compile(r"无(?=[0-9])")
# Digits that belong to a label, never to a value: anything in parentheses (`(2)`, `(指2019年事项数)`),
# years, dates and article numbers.
_LABEL_ONLY = re.compile(r"\([^()]*\)|(?:19|20)\d{2}年|(?<=年)\d{1,2}月|(?<=月)\d{1,2}日|第\d+[条项款章节]")
_UNITS = ("万元", "元")


class _NfkcOneToOne(dict):
    """str.translate table: each character → its NFKC form when that is one character, else a sentinel."""

    def __missing__(self, code: int) -> str:
        norm = unicodedata.normalize("NFKC", chr(code))
        self[code] = norm if len(norm) == 1 else _MULTI
        return self[code]


_MULTI = "\uffff"  # a noncharacter: marks a character whose NFKC form is not one character
_ONE_TO_ONE = _NfkcOneToOne()


def _nfkc_mapped(text: str) -> tuple[str, Sequence[int]]:
    """NFKC per character, with the raw offset of every normalised character (and one past the end).

    Almost every character normalises to one character (full-width → ASCII), so offsets are the
    identity: one C-level translate. Only text holding a `㈠`-like character is mapped per character.
    """
    s = text.translate(_ONE_TO_ONE)
    if _MULTI not in s:
        return s, range(len(text) + 1)
    chars: list[str] = []
    src: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            chars.append(c)
            src.append(i)
    src.append(len(text))
    return "".join(chars), src


def _list_number(body: str) -> int:
    """Length of the list number `N` ending `body` (a single digit 1–9: the tables count to 8), or 0."""
    return 1 if body and body[-1] in "123456789" else 0


@lru_cache(maxsize=4096)  # the same cells are cut to detect the layout, the template and the runs
def cut_runs(text: str) -> tuple[Piece, ...]:
    """Cut a crawled cell into label and digit-run pieces, in order.

    A trailing `N.` or `N、` before a label is that label's list number (`…00000002.其他法律…` → run `0000000`,
    label `2.其他法律…`); digits inside parentheses, years and dates stay in their label. Whitespace inside
    a run is kept as a single space: it marks a cut the splitter must respect.
    """
    s, src = _nfkc_mapped(text)
    # Characters that must stay in their label are masked (same length, so offsets hold).
    masked = _LABEL_ONLY.sub(lambda m: "\x01" * len(m.group()), s)
    masked = _BLANK_BEFORE_DIGIT.sub("/", masked)  # a run sign for the cutting; the run keeps its 无
    runs: list[tuple[int, int, int, str | None]] = []  # (start, end, end incl. unit, unit)
    for m in _RUN_CHARS.finditer(masked):
        span = _run_span(s, m.start(), m.end())
        if span is not None:
            runs.append(span)
    pieces: list[Piece] = []
    prev = 0
    for a, b, after, unit in runs:
        _label(pieces, text, s, src, prev, a)
        body = re.sub(r"\s+", " ", s[a:b])
        pieces.append(Piece("run", body, text[src[a] : src[after]], src[a], src[after], unit))
        prev = after
    _label(pieces, text, s, src, prev, len(s))
    return tuple(pieces)


def _run_span(s: str, i: int, j: int) -> tuple[int, int, int, str | None] | None:
    """The value part of the run-character segment s[i:j], or None when it holds no value."""
    a, b = i, j
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    followed = j < len(s)  # a label follows the segment
    trimmed = False
    if followed and s[j] == "、" and b == j:
        n = _list_number(s[a:b])
        b -= n
        trimmed = n > 0
    elif b > a and s[b - 1] == ".":
        n = _list_number(s[a : b - 1]) if followed else 0
        b -= n + 1
        trimmed = True
    while b > a and s[b - 1].isspace():
        b -= 1
    while a < b and s[a] == ".":
        a += 1
    if not any(c in _DIGITS for c in s[a:b]):
        return None
    after, unit = b, None
    if not trimmed:
        k = b
        while k < len(s) and s[k] == " ":
            k += 1
        for u in _UNITS:
            if s.startswith(u, k):
                after, unit = k + len(u), u
                break
    return a, b, after, unit


def _label(pieces: list[Piece], text: str, s: str, src: Sequence[int], a: int, b: int) -> None:
    while a < b and s[a].isspace():
        a += 1
    while b > a and s[b - 1].isspace():
        b -= 1
    if a < b:
        pieces.append(Piece("label", s[a:b], text[src[a] : src[b]], src[a], src[b]))


# ---------------------------------------------------------------------------------------------
# 2. Splitting one run into cells
# ---------------------------------------------------------------------------------------------


def canonical_run(run: str) -> str:
    """NFKC, one space per whitespace stretch (a known cut), trimmed."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", run)).strip()


def literal_value(lit: str) -> Decimal | None:
    """The value of one cell literal: None for a missing cell or a printed placeholder."""
    if not lit or _PLACEHOLDER.fullmatch(lit):
        return None
    return Decimal(lit)


def to_values(split: Split) -> Values:
    return tuple(literal_value(x) for x in split)


class _Splitter:
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
            for q in range(pos + 1, end + 1):
                lit = s[pos:q]
                if _LITERAL[kind].fullmatch(lit) or _PLACEHOLDER.fullmatch(lit):
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
    return _Splitter(run, kinds, max_blanks).generate()


def count_splits(run: str, kinds: Sequence[str], *, max_blanks: int = 0) -> int:
    """How many splits split_literals would yield, without generating them (a memoised count)."""
    return _Splitter(run, kinds, max_blanks).count()


def splits(run: str, kinds: Sequence[str], *, max_blanks: int = 0) -> list[Values]:
    """Every way to split a digit run into len(kinds) numbers (None = placeholder or missing cell)."""
    return [to_values(x) for x in split_literals(run, kinds, max_blanks=max_blanks)]


# -- sum-constrained splits: the last cell is the total of the others (A3, R1–R3) ---------------

_COUNT = _LITERAL["count"]


def _int(lit: str) -> int:
    """A count literal's value; a missing cell or placeholder counts 0 as an operand (spec §7.6)."""
    return int(lit) if lit and lit[0] in _DIGITS else 0


_PH_SET = frozenset({"-", "--", "—", "——", "–", "/", "无"})  # the strings _PLACEHOLDER matches


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
            for i in range(j - 1, self.chunk[j] - 1, -1):
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
    for j in range(start, len(s)):
        lit = s[j:]
        state = j - 1 if j > 0 and s[j - 1] == " " else j
        if _COUNT.fullmatch(lit):
            if (int(lit) - nines[state]) % 9:
                continue  # casting out nines: no split of the operands can sum to this total
            checked.extend((*ops, lit) for ops in pre.operands(state, cells - 1, int(lit), max_blanks))
        elif _PLACEHOLDER.fullmatch(lit):
            unchecked_count += _enumerate(s[:state], cells - 1, max_blanks, (lit,), unchecked)
    if max_blanks:
        unchecked_count += _enumerate(s, cells - 1, max_blanks - 1, ("",), unchecked)
    return SumSplits(tuple(checked), tuple(unchecked), unchecked_count)


def _enumerate(s: str, n: int, max_blanks: int, tail: Split, out: list[Split]) -> int:
    """Append every n-count split of s (plus `tail`) to out unless there are too many; return the count."""
    sp = _Splitter(s, ("count",) * n, max_blanks)
    total = sp.count()
    if total <= ENUMERATION_CAP:
        out.extend((*x, *tail) for x in sp.generate())
    return total


# ---------------------------------------------------------------------------------------------
# 3. Solutions and the findings they imply
# ---------------------------------------------------------------------------------------------


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


def _order(split: Split) -> tuple:
    """Candidates in reading order: by each cell's width, then literally (stable across runs)."""
    return tuple((len(x), x) for x in split)


def _fmt(values: Values | None) -> str:
    if values is None:
        return "?"
    return "(" + ", ".join("blank" if v is None else str(v) for v in values) + ")"


def _has_placeholder(split: Split) -> bool:
    """A printed blank among the cells: an identity then holds whatever the blank hides (spec §7.6)."""
    return any(x and _PLACEHOLDER.fullmatch(x) for x in split)


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
    sp = _Splitter(run, kinds, 0)
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
    options, total = _review_options(s, None, max_blanks)
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
    for p1 in starts:
        if not first[p1]:
            continue
        for p2 in starts:
            if p2 <= p1 or not last[p2]:
                continue
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


@lru_cache(maxsize=8192)
def _block_splits(part: str, relaxed: bool, max_blanks: int) -> tuple[Split, ...]:
    """The 5-cell splits of one block: all of them if its identity is set aside, else R-consistent ones."""
    if relaxed:
        out: list[Split] = []
        n = _enumerate(part, 5, max_blanks, (), out)
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
    return tuple(_int(x) for x in split[:_N])


def _add(a: Vec, b: Vec) -> Vec:
    return tuple(x + y for x, y in zip(a, b, strict=True))


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
    order = [r.key for r in APPLICATION_ROWS[template]]
    unknown = sorted(set(runs) - set(order))
    if unknown:
        raise ValueError(f"rows not in the {template} template: {', '.join(unknown)}")
    present = [r for r in order if r in runs]
    outcome = list(OUTCOME_ROWS[template])
    a1 = all(r in runs for r in _A1_ROWS)
    a2 = "total" in runs and all(r in runs for r in outcome)
    sol = Solution("applications", identities=("A3", *(["A1"] if a1 else []), *(["A2"] if a2 else [])))
    for r in present:
        sol.units[r] = (r, APPLICATION_COLUMNS, canonical_run(runs[r]))

    complete: dict[str, list[Split]] = {}
    cands: dict[str, list[Split]] = {}
    notes: dict[str, str] = {}
    for r in present:
        ss = sum_splits(runs[r], len(APPLICATION_COLUMNS), 0)
        complete[r] = _whole(ss, r, notes)
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
    by_vec: dict[str, dict[Vec, list[Split]]] = {}
    for r, splits_r in cands.items():
        d: dict[Vec, list[Split]] = {}
        for x in splits_r:
            d.setdefault(_vec(x), []).append(x)
        by_vec[r] = d
    keep: dict[str, set[Vec]] = {r: set(d) for r, d in by_vec.items()}
    linked = set((_A1_ROWS if a1 else ()) + (("total", *outcome) if a2 else ()))
    if any(not keep[r] for r in linked):
        return None, limits

    pairs: dict[Vec, list[tuple[Vec, Vec]]] = {}
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
            nxt: set[Vec] = set()
            for s in layers[-1]:
                for v in keep[r]:
                    w = _add(s, v)
                    if all(x <= y for x, y in zip(w, bound, strict=True)):
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
    return {r: [x for x in cands[r] if _vec(x) in keep[r]] for r in cands}, limits


if __name__ == "__main__":  # pragma: no cover - a timing, not a test (see benchmarks/bench_runtogether.py)
    import runpy
    from pathlib import Path

    runpy.run_path(str(Path(__file__).resolve().parent.parent / "benchmarks" / "bench_runtogether.py"),
                   run_name="__main__")
